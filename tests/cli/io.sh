# How objload reads its files: mapped (the default), or read concurrently
# through io_uring or the thread pool, chosen with --io or RTLINK_IO; an
# unknown reader is refused by name; a file that cannot be read is named,
# whichever reader it was.
. "$(dirname "$0")/common.sh"
for io in mmap io_uring threads; do
  run 42 "$OBJLOAD" --io="$io" --run rts_main "$F/rts.o" "$F/base.o"
  RTLINK_IO=$io run 42 "$OBJLOAD" --run rts_main "$F/rts.o" "$F/libbase.a"
  run 2 "$OBJLOAD" --io "$io" --run rts_main "$F/rts.o" "$T/missing.o"
  has err "objload: error: $T/missing.o: cannot read: No such file or directory"
done
RTLINK_IO=io_uring run 42 "$OBJLOAD" --io=threads --run rts_main "$F/rts.o" "$F/base.o"
RTLINK_IO=floppy run 2 "$OBJLOAD" --run rts_main "$F/rts.o" "$F/base.o"
has err "objload: RTLINK_IO=floppy: unknown reader floppy (io_uring, threads, iocp, mmap)"
run 2 "$OBJLOAD" --io=floppy --run rts_main "$F/rts.o"
has err "objload: io=floppy: unknown reader floppy (io_uring, threads, iocp, mmap)"
# The sqlite job, read through io_uring.
run 42 "$OBJLOAD" --io=io_uring --run main "$F/q.o" /usr/lib/x86_64-linux-gnu/libsqlite3.a
has out "select sum(x) from t = 42"
echo ok
