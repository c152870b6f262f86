// Checks a run.mcap's Foxglove topics the way Foxglove would read them, with no code shared with the C# writer:
// @mcap/core reads the file, protobufjs decodes each message with the schema embedded in the file (a serialized
// FileDescriptorSet), and every field of every embedded foxglove.* message type is compared with Foxglove's own
// published definition (@foxglove/schemas): same field number, name, type and cardinality.
// Usage: node foxglove-check.mjs <file.mcap>
// Prints one JSON line: per Foxglove topic the schema, message count and a decoded summary; exit 0 when every
// message decodes and every schema matches Foxglove's, 1 otherwise.
import { open } from "node:fs/promises";
import { McapIndexedReader } from "@mcap/core";
import { FileReadable } from "./file-readable.mjs";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";
import foxgloveInternal from "@foxglove/schemas/internal.js";

const { foxgloveMessageSchemas } = foxgloveInternal;

// Foxglove's schema primitive → the protobuf type it is published as (see @foxglove/schemas generateProto).
const PRIMITIVE = { int32: "sfixed32", uint32: "fixed32", bytes: "bytes", string: "string", boolean: "bool", float64: "double" };

function expectedField(field) {
  const t = field.type;
  let type;
  if (t.type === "primitive") type = PRIMITIVE[t.name];
  else if (t.type === "nested") type = t.schema.protoEquivalent ?? `foxglove.${t.schema.name}`;
  else if (t.type === "enum") type = "enum";
  return { type, repeated: field.array != undefined };
}

/** Differences between an embedded foxglove.* type and Foxglove's published schema of the same name. */
function compareWithFoxglove(type) {
  const name = type.fullName.replace(/^\./, "");
  const schema = foxgloveMessageSchemas[name.replace(/^foxglove\./, "")];
  if (!schema) return [`${name}: not a Foxglove schema`];
  const problems = [];
  // Foxglove numbers fields in declaration order from 1 (generateProto), with nested messages and enums typed.
  const published = new Map(schema.fields.map((f, i) => [f.name, { number: i + 1, ...expectedField(f) }]));
  for (const field of type.fieldsArray) {
    field.resolve();
    const want = published.get(field.name);
    if (!want) {
      problems.push(`${name}.${field.name}: not in Foxglove's schema`);
      continue;
    }
    if (want.number !== field.id) problems.push(`${name}.${field.name}: number ${field.id}, Foxglove ${want.number}`);
    if (want.repeated !== field.repeated) problems.push(`${name}.${field.name}: repeated ${field.repeated}, Foxglove ${want.repeated}`);
    const got = field.resolvedType instanceof protobuf.Enum ? "enum" : field.resolvedType ? field.resolvedType.fullName.replace(/^\./, "") : field.type;
    if (want.type !== got) problems.push(`${name}.${field.name}: type ${got}, Foxglove ${want.type}`);
  }
  return problems;
}

/** A decoded field by its schema name (protobufjs keeps the descriptor's snake_case names). */
const get = (o, snake) => o[snake] ?? o[snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase())];

function summarize(schemaName, message) {
  switch (schemaName) {
    case "foxglove.SceneUpdate":
      return {
        deletions: message.deletions.length,
        entities: message.entities.length,
        cubes: message.entities.reduce((n, e) => n + e.cubes.length, 0),
        lines: message.entities.reduce((n, e) => n + e.lines.length, 0),
        first: message.entities[0]
          ? { id: message.entities[0].id, frame: get(message.entities[0], "frame_id"), cube: message.entities[0].cubes[0] ?? null }
          : null,
      };
    case "foxglove.FrameTransform":
      return { parent: get(message, "parent_frame_id"), child: get(message, "child_frame_id"), translation: message.translation };
    case "foxglove.PointCloud":
      return { frame: get(message, "frame_id"), stride: get(message, "point_stride"), fields: message.fields.map((f) => f.name), points: message.data.length / get(message, "point_stride") };
    default:
      return {};
  }
}

export { compareWithFoxglove };

const path = process.argv[2];
if (path === "--self-test") {
  // A type with a wrong number and an unknown field must be reported.
  const root = protobuf.Root.fromJSON({ nested: { foxglove: { nested: { Color: { fields: { r: { type: "double", id: 2 }, q: { type: "double", id: 9 } } } } } } });
  const found = compareWithFoxglove(root.lookupType("foxglove.Color"));
  console.log(JSON.stringify({ ok: found.length === 2, found }));
  process.exit(found.length === 2 ? 0 : 1);
}
if (!path) {
  console.error("usage: node foxglove-check.mjs <file.mcap>");
  process.exit(2);
}

const handle = await open(path, "r");
try {
  const { size } = await handle.stat();
  const reader = await McapIndexedReader.Initialize({ readable: new FileReadable(handle, BigInt(size)) });
  const topics = {};
  const problems = [];
  const types = new Map();
  for (const channel of reader.channelsById.values()) {
    if (!channel.topic.startsWith("/foxglove/")) continue;
    const schema = reader.schemasById.get(channel.schemaId);
    if (!schema || schema.encoding !== "protobuf" || channel.messageEncoding !== "protobuf") {
      problems.push(`${channel.topic}: expected protobuf schema and messages`);
      continue;
    }
    const set = descriptor.FileDescriptorSet.decode(schema.data);
    const root = protobuf.Root.fromDescriptor(set);
    const type = root.lookupType(schema.name);
    types.set(channel.id, { type, schemaName: schema.name });
    for (const nested of [type, ...Object.values(root.nested.foxglove.nested).filter((t) => t instanceof protobuf.Type)]) {
      for (const p of compareWithFoxglove(nested)) if (!problems.includes(p)) problems.push(p);
    }
    topics[channel.topic] = { schema: schema.name, messages: 0 };
  }

  for await (const message of reader.readMessages({ topics: Object.keys(topics) })) {
    const entry = types.get(message.channelId);
    const topic = reader.channelsById.get(message.channelId).topic;
    let decoded;
    try {
      decoded = entry.type.toObject(entry.type.decode(message.data), { longs: Number, defaults: true, arrays: true });
    } catch (e) {
      problems.push(`${topic}: message at ${message.logTime} does not decode: ${e.message}`);
      continue;
    }
    const t = topics[topic];
    t.messages++;
    if (t.messages === 1) t.first = summarize(entry.schemaName, decoded);
    t.last = summarize(entry.schemaName, decoded);
  }

  console.log(JSON.stringify({ ok: problems.length === 0, problems, topics }));
  process.exit(problems.length === 0 ? 0 : 1);
} finally {
  await handle.close();
}
