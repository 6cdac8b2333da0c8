// Placeholder: being written.
#include "protocol/layout_table.h"
