// Independent MCAP validation with @mcap/core (no code shared with AutomationStack.Mcap).
// Usage: node validate.mjs <file.mcap>
// Prints one JSON line; exit 0 when valid, 1 otherwise.
import { open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { FileReadable } from "./file-readable.mjs";

const bigintToJson = (_key, value) => (typeof value === "bigint" ? Number(value) : value);

function increment(counts, topic) {
  counts[topic] = (counts[topic] ?? 0) + 1;
}

async function streamPass(bytes) {
  const reader = new McapStreamReader({ validateCrcs: true, includeChunks: true });
  reader.append(bytes);
  const schemas = new Set();
  const channels = new Map();
  const counts = {};
  let messages = 0;
  let chunks = 0;
  let sawFooter = false;
  let dataEndCrc;
  for (let record; (record = reader.nextRecord()); ) {
    switch (record.type) {
      case "Schema":
        schemas.add(record.id);
        break;
      case "Channel":
        if (record.schemaId !== 0 && !schemas.has(record.schemaId)) {
          throw new Error(`channel ${record.id} (${record.topic}) seen before its schema ${record.schemaId}`);
        }
        channels.set(record.id, record);
        break;
      case "Message": {
        const channel = channels.get(record.channelId);
        if (!channel) {
          throw new Error(`message on channel ${record.channelId} seen before its channel`);
        }
        if (channel.schemaId !== 0 && !schemas.has(channel.schemaId)) {
          throw new Error(`message on channel ${record.channelId} seen before schema ${channel.schemaId}`);
        }
        if (record.logTime === 0n) {
          throw new Error(`message on ${channel.topic} has zero log time`);
        }
        increment(counts, channel.topic);
        messages++;
        break;
      }
      case "Chunk":
        if (record.compression !== "") {
          throw new Error(`unexpected chunk compression '${record.compression}'`);
        }
        chunks++;
        break;
      case "DataEnd":
        dataEndCrc = record.dataSectionCrc;
        break;
      case "Footer":
        sawFooter = true;
        break;
      default:
        break;
    }
  }
  if (!sawFooter || !reader.done()) {
    throw new Error("stream reader did not reach the footer and trailing magic (truncated file?)");
  }
  return { counts, messages, chunks, dataEndCrc };
}

async function indexedPass(handle, size) {
  const reader = await McapIndexedReader.Initialize({ readable: new FileReadable(handle, size) });
  const counts = {};
  let messages = 0;
  for await (const message of reader.readMessages({ validateCrcs: true })) {
    const channel = reader.channelsById.get(message.channelId);
    if (!channel) {
      throw new Error(`indexed message on unknown channel ${message.channelId}`);
    }
    increment(counts, channel.topic);
    messages++;
  }
  return { reader, counts, messages };
}

async function main() {
  const path = process.argv[2];
  if (!path) {
    throw new Error("usage: node validate.mjs <file.mcap>");
  }
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    await handle.read(bytes, 0, size, 0);

    const stream = await streamPass(bytes);
    const indexed = await indexedPass(handle, BigInt(size));
    const { reader } = indexed;

    // @mcap/core does not check the DataEnd CRC itself: CRC-32 of every byte before the DataEnd record.
    if (stream.dataEndCrc !== undefined && stream.dataEndCrc !== 0) {
      const actual = crc32(bytes.subarray(0, Number(reader.dataEndOffset)));
      if (actual !== stream.dataEndCrc) {
        throw new Error(`data section CRC mismatch: stored ${stream.dataEndCrc}, computed ${actual}`);
      }
    }
    if (stream.messages !== indexed.messages) {
      throw new Error(`stream pass saw ${stream.messages} messages, indexed pass ${indexed.messages}`);
    }
    if (stream.chunks !== reader.chunkIndexes.length) {
      throw new Error(`stream pass saw ${stream.chunks} chunks, summary indexes ${reader.chunkIndexes.length}`);
    }
    const statistics = reader.statistics;
    if (statistics) {
      if (statistics.messageCount !== BigInt(stream.messages)) {
        throw new Error(`statistics message_count ${statistics.messageCount} != ${stream.messages} messages read`);
      }
      if (statistics.chunkCount !== stream.chunks) {
        throw new Error(`statistics chunk_count ${statistics.chunkCount} != ${stream.chunks} chunks read`);
      }
    }
    const statisticsJson = statistics
      ? {
          messageCount: Number(statistics.messageCount),
          schemaCount: statistics.schemaCount,
          channelCount: statistics.channelCount,
          attachmentCount: statistics.attachmentCount,
          metadataCount: statistics.metadataCount,
          chunkCount: statistics.chunkCount,
          messageStartTime: statistics.messageStartTime.toString(),
          messageEndTime: statistics.messageEndTime.toString(),
          channelMessageCounts: Object.fromEntries(
            [...statistics.channelMessageCounts].map(([id, count]) => [String(id), Number(count)]),
          ),
        }
      : null;
    process.stdout.write(
      JSON.stringify(
        {
          ok: true,
          messages: stream.messages,
          streamCounts: stream.counts,
          indexedCounts: indexed.counts,
          chunks: stream.chunks,
          statistics: statisticsJson,
        },
        bigintToJson,
      ) + "\n",
    );
  } finally {
    await handle.close();
  }
}

try {
  await main();
  process.exitCode = 0;
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error?.message ?? error) }) + "\n");
  process.exitCode = 1;
}
