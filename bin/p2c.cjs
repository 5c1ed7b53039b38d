#!/usr/bin/env node
// The `p2c` command. Runs the TypeScript sources directly through tsx: no build step between a change and a run.
'use strict';
require('tsx/cjs');
require('../src/cli/main.ts');
