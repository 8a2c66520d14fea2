// The demo's "application": a winston logger in a pretend web service, logging requests at a
// steady rate with a burst of errors in the middle, and a JSON audit log beside it.
// usage: node scripts/demo-app.js <log dir> <seconds>
const path = require('node:path');
const winston = require('winston');
const [dir, seconds] = process.argv.slice(2);
const app = winston.createLogger({
  level: 'debug',
  format: winston.format.combine(winston.format.timestamp(), winston.format.printf((i) => `${i.timestamp} [${i.level.toUpperCase()}] ${i.message}`)),
  transports: [new winston.transports.File({ filename: path.join(dir, 'app.log') })],
});
const audit = winston.createLogger({
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.File({ filename: path.join(dir, 'audit.log') })],
});
const end = Date.now() + Number(seconds) * 1000;
const start = Date.now();
let n = 0;
const timer = setInterval(() => {
  const t = (Date.now() - start) / 1000;
  const burst = t > Number(seconds) * 0.4 && t < Number(seconds) * 0.6;
  for (let k = 0; k < 20; k++, n++) {
    app.info(`GET /api/items/${n % 977} 200 ${(n * 7) % 90 + 3}ms`);
    if (n % 10 === 0) app.debug(`cache lookup key=item:${n % 977} hit=${n % 3 !== 0}`);
    if (burst && n % 4 === 0) app.error(`upstream timeout after 3000ms host=db-${n % 3}`);
    else if (n % 50 === 0) app.warn(`slow query ${(n % 400) + 200}ms`);
    if (n % 25 === 0) audit.info('login', { user: `u${n % 41}`, ok: n % 7 !== 0 });
  }
  if (Date.now() >= end) {
    clearInterval(timer);
    app.end();
    audit.end();
    setTimeout(() => process.exit(0), 300);
  }
}, 20);
