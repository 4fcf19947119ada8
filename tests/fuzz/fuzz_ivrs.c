// SPDX-License-Identifier: GPL-2.0-only
/* The IVRS table, AMD-Vi's description of its IOMMUs: fuzz_dmar.c's target. */
#define TABLE_PARSE ivrs_parse
#define TABLE_NAME  "IVRS"
#include "fuzz_dmar.c"
