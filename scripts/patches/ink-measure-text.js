// Ink 6's measure-text.js with its cache bounded. Ink keeps the size of every distinct text it ever
// measured in a module-level Map that is never emptied: a dashboard showing live log lines measures
// new text all day, and a heap snapshot under `npm run bench`'s ingest found ~33,000 entries after
// four minutes, growing ~2.8 MB a minute. Same function, same results; the cache starts over past
// MAX_ENTRIES (the texts on screen now are measured again on the next frame).
import widestLine from 'widest-line';

const MAX_ENTRIES = 4096;
const cache = new Map();

const measureText = (text) => {
  if (text.length === 0) {
    return { width: 0, height: 0 };
  }
  const cachedDimensions = cache.get(text);
  if (cachedDimensions) {
    return cachedDimensions;
  }
  const width = widestLine(text);
  const height = text.split('\n').length;
  const dimensions = { width, height };
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(text, dimensions);
  return dimensions;
};

export default measureText;
