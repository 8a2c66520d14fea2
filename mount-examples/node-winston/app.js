// A Node service logging with winston into a logshadow mount: JSON lines, one file per stream.
// Nothing here knows about logshadow; the directory is simply mounted first.
//
//   logshadow mount /var/log/myapp --background
//   node app.js /var/log/myapp 1000
//
// usage: node app.js [log dir] [requests]
const path = require('node:path');
const winston = require('winston');

const dir = process.argv[2] || '/var/log/myapp';
const requests = Number(process.argv[3] || 1000);

const logger = winston.createLogger({
  level: 'debug',
  // JSON lines with a "level" key: logshadow counts lines per level from it.
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.File({ filename: path.join(dir, 'app.log') })],
});

// A pretend request loop: mostly info, some debug, a few warnings and errors.
for (let i = 0; i < requests; i++) {
  if (i % 10 === 0) logger.debug('cache lookup', { key: `item:${i % 97}`, hit: i % 3 !== 0 });
  if (i % 50 === 0) logger.warn('slow request', { id: i, ms: 900 + (i % 200) });
  if (i % 100 === 99) logger.error('upstream failed', { id: i, status: 502 });
  logger.info('request', { id: i, path: `/items/${i % 97}`, status: 200 });
}

// No process.exit(): the process ends by itself once the file stream has written every line.
logger.end();
