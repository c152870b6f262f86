using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AutomationStack.Mcap;

/// <summary>Builds MCAP schema data for the "protobuf" schema encoding.</summary>
public static class ProtobufSchemas
{
    /// <summary>
    /// Returns a serialized <c>google.protobuf.FileDescriptorSet</c> holding the file that declares
    /// <paramref name="descriptor"/> and all its transitive dependencies, dependencies first, each once.
    /// The order is deterministic (depth-first over declared dependency order).
    /// </summary>
    public static byte[] FileDescriptorSet(MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var set = new FileDescriptorSet();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Visit(descriptor.File, seen, set);
        return set.ToByteArray();
    }

    private static void Visit(FileDescriptor file, HashSet<string> seen, FileDescriptorSet set)
    {
        if (!seen.Add(file.Name))
        {
            return;
        }
        foreach (var dependency in file.Dependencies)
        {
            Visit(dependency, seen, set);
        }
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
    }
}
