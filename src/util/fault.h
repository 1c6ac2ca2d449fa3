/*
 * Fault points for the crash tests: AGENTLOGS_FAULT=NAME[:N] kills the process
 * (SIGKILL, no cleanup, as a power cut would) the Nth time (default 1st) the
 * point NAME is reached. Without the variable a fault point costs one getenv.
 */
#ifndef AL_FAULT_H
#define AL_FAULT_H

void fault_point(const char *name);

#endif
