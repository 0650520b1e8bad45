#include <stdio.h>
#include <stdlib.h>
static void bye(void) { puts("atexit"); }
__attribute__((constructor)) static void hello(void) { puts("constructor"); atexit(bye); }
__attribute__((destructor)) static void done(void) { puts("destructor"); }
int main(void) { puts("main"); return 7; }
