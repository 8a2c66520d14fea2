// Names this jest run (see scratch.ts): workers inherit the variable from this process.
module.exports = async function globalSetup() {
  process.env.LOGSHADOW_TEST_RUN ??= `r${process.pid}`;
};
