#ifndef KNUTEPUNKT_CLIBZMQ_SHIM_H
#define KNUTEPUNKT_CLIBZMQ_SHIM_H
#include <zmq.h>
#endif
