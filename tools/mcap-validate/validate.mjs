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

// Bytes are read in blocks, so logs larger than a Node buffer (2 GiB) validate too.
const BLOCK = 16 * 1024 * 1024;

/**
 * The stream pass: every record in file order through McapStreamReader, fed block by block. Also returns the CRC-32
 * of the bytes before `dataEndOffset` (the DataEnd record's data_section_crc covers exactly those).
 */
async function streamPass(handle, size, dataEndOffset) {
  const reader = new McapStreamReader({ validateCrcs: true, includeChunks: true });
  const state = { schemas: new Set(), channels: new Map(), counts: {}, messages: 0, chunks: 0, sawFooter: false, dataEndCrc: undefined };
  let crc = 0;
  const block = new Uint8Array(BLOCK);
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(block, 0, Math.min(BLOCK, size - position), position);
    if (bytesRead === 0) {
      throw new Error(`unexpected end of file at ${position}`);
    }
    const bytes = block.slice(0, bytesRead);
    if (position < dataEndOffset) {
      crc = crc32(bytes.subarray(0, Math.min(bytesRead, dataEndOffset - position)), crc);
    }
    position += bytesRead;
    reader.append(bytes);
    drain(reader, state);
  }
  if (!state.sawFooter || !reader.done()) {
    throw new Error("stream reader did not reach the footer and trailing magic (truncated file?)");
  }
  return { counts: state.counts, messages: state.messages, chunks: state.chunks, dataEndCrc: state.dataEndCrc, dataCrc: crc };
}

/** Takes every complete record the stream reader holds, checking order and counting. */
function drain(reader, state) {
  const { schemas, channels, counts } = state;
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
        state.messages++;
        break;
      }
      case "Chunk":
        if (record.compression !== "") {
          throw new Error(`unexpected chunk compression '${record.compression}'`);
        }
        state.chunks++;
        break;
      case "DataEnd":
        state.dataEndCrc = record.dataSectionCrc;
        break;
      case "Footer":
        state.sawFooter = true;
        break;
      default:
        break;
    }
  }
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
    const indexed = await indexedPass(handle, BigInt(size));
    const { reader } = indexed;
    const stream = await streamPass(handle, size, Number(reader.dataEndOffset));

    // @mcap/core does not check the DataEnd CRC itself: CRC-32 of every byte before the DataEnd record.
    if (stream.dataEndCrc !== undefined && stream.dataEndCrc !== 0 && stream.dataCrc !== stream.dataEndCrc) {
      throw new Error(`data section CRC mismatch: stored ${stream.dataEndCrc}, computed ${stream.dataCrc}`);
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
