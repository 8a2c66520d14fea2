// A Node service logging with pino into a logshadow mount: newline-delimited JSON with numeric
// levels (20 debug, 30 info, 40 warn, 50 error), which logshadow classifies as such.
//
//   logshadow mount /var/log/myapp --background
//   node app.js /var/log/myapp 1000
//
// usage: node app.js [log dir] [requests]
const path = require('node:path');
const pino = require('pino');

const dir = process.argv[2] || '/var/log/myapp';
const requests = Number(process.argv[3] || 1000);

// sync: false buffers lines and writes them in batches off the request path; pino flushes what
// is left when the process exits normally.
const destination = pino.destination({ dest: path.join(dir, 'app.log'), sync: false, mkdir: true });
const logger = pino({ level: 'debug' }, destination);

for (let i = 0; i < requests; i++) {
  if (i % 10 === 0) logger.debug({ key: `item:${i % 97}`, hit: i % 3 !== 0 }, 'cache lookup');
  if (i % 50 === 0) logger.warn({ id: i, ms: 900 + (i % 200) }, 'slow request');
  if (i % 100 === 99) logger.error({ id: i, status: 502 }, 'upstream failed');
  logger.info({ id: i, path: `/items/${i % 97}`, status: 200 }, 'request');
}

logger.flush((err) => {
  if (err) {
    console.error(`flush failed: ${err.message}`);
    process.exit(1);
  }
});
