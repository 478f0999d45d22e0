/*
 * pipeline.h - where a command of a RUN sits: the pipeline around it and
 * whether its output is captured, for rules that ask what a command reads
 * (`echo ... | sha256sum -c`) or where its output goes (`curl ... | tar x`).
 */
#ifndef DF_ENGINE_PIPELINE_H
#define DF_ENGINE_PIPELINE_H

#include <stdbool.h>

#include "parse/ast.h"
#include "parse/shell.h"

/* Find cmd (a simple command of run's shell-form script or of its heredoc
 * scripts: a df_cmd_view's cmd, not an expansion's) and copy where it sits
 * into *ctx. False when it is in none of them (exec form). */
bool df_run_cmd_ctx(const df_instr *run, const df_sh_cmd *cmd, df_sh_ctx *ctx);

#endif
