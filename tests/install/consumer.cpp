// SPDX-License-Identifier: MIT
// The consumer program compiled as C++: the headers' extern "C" blocks,
// their macros and inline functions as a C++ project sees them.
#include "consumer.c"
