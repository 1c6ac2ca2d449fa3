#include "config.h"
typedef int al_stub_unit;
