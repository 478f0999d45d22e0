#ifndef DF_CLI_H
#define DF_CLI_H
int df_cmd_parse(int argc, char **argv);
int df_cmd_graph(int argc, char **argv);
#endif
