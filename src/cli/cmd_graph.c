#include "cli/cli.h"
int df_cmd_graph(int argc, char **argv) { (void)argc; (void)argv; return 0; }
