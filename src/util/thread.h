/* Threads that leave signals (SIGWINCH, SIGINT, SIGUSR1...) to the main thread. */
#ifndef AL_UTIL_THREAD_H
#define AL_UTIL_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread: 0 or an errno. */
int thread_start_unsignalled(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
