/** The CLI's JSON: the writer of every command's {@code --json} output and the reader of the gate's REST answers. */
package dev.turnout.cli.json;
