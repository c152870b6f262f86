// Prints the /log topic of a run.mcap as text lines: `t=<s> <source> <level> <text>`.
// Usage: node logdump.mjs <run.mcap> [substring]
import { readFile } from "node:fs/promises";
import { McapStreamReader } from "@mcap/core";

function varint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, pos];
    shift += 7n;
  }
}

// LogLine: stamp_ns = 1 (int64), source = 2 (string), level = 3 (enum), text = 4 (string).
function decodeLogLine(buf) {
  const line = { stamp: 0n, source: "", level: 0, text: "" };
  let pos = 0;
  const decoder = new TextDecoder();
  while (pos < buf.length) {
    let key;
    [key, pos] = varint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      let v;
      [v, pos] = varint(buf, pos);
      if (field === 1) line.stamp = v;
      if (field === 3) line.level = Number(v);
    } else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      const bytes = buf.subarray(pos, pos + Number(len));
      pos += Number(len);
      if (field === 2) line.source = decoder.decode(bytes);
      if (field === 4) line.text = decoder.decode(bytes);
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`wire type ${wire}`);
  }
  return line;
}

const [file, filter] = process.argv.slice(2);
const reader = new McapStreamReader();
reader.append(await readFile(file));
const channels = new Map();
const levels = ["DEBUG", "INFO", "WARN", "ERROR"];
for (let record; (record = reader.nextRecord()); ) {
  if (record.type === "Channel") channels.set(record.id, record.topic);
  if (record.type === "Message" && channels.get(record.channelId) === "/log") {
    const l = decodeLogLine(record.data);
    const text = `t=${(Number(l.stamp) / 1e9).toFixed(2)} ${l.source} ${levels[l.level] ?? l.level} ${l.text}`;
    if (!filter || text.includes(filter)) console.log(text);
  }
}
