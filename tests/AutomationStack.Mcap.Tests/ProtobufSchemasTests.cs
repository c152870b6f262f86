using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class ProtobufSchemasTests
{
    [Test]
    public void FileDescriptorSet_TypeWithDependencies_ParsesWithDependenciesFirstEachOnce()
    {
        // descriptor.proto has no deps; api.proto depends on source_context.proto and type.proto,
        // and type.proto depends on any.proto and source_context.proto (a diamond).
        var bytes = ProtobufSchemas.FileDescriptorSet(Api.Descriptor);

        var set = FileDescriptorSet.Parser.ParseFrom(bytes);
        var names = set.File.Select(f => f.Name).ToList();

        Assert.That(names, Is.Unique);
        Assert.That(names[^1], Is.EqualTo("google/protobuf/api.proto"));
        Assert.That(names, Is.EquivalentTo(new[]
        {
            "google/protobuf/source_context.proto", "google/protobuf/any.proto", "google/protobuf/type.proto", "google/protobuf/api.proto",
        }));
        for (int i = 0; i < set.File.Count; i++)
        {
            foreach (var dependency in set.File[i].Dependency)
            {
                Assert.That(names.IndexOf(dependency), Is.InRange(0, i - 1), $"{set.File[i].Name} needs {dependency} earlier");
            }
        }
    }

    [Test]
    public void FileDescriptorSet_Struct_HoldsStructFile()
    {
        var set = FileDescriptorSet.Parser.ParseFrom(ProtobufSchemas.FileDescriptorSet(Struct.Descriptor));

        Assert.That(set.File.Select(f => f.Name), Is.EqualTo(new[] { "google/protobuf/struct.proto" }));
        Assert.That(set.File[0].MessageType.Select(m => m.Name), Does.Contain("Struct"));
    }

    [Test]
    public void FileDescriptorSet_SameDescriptor_IsDeterministic()
    {
        var first = ProtobufSchemas.FileDescriptorSet(Api.Descriptor);
        var second = ProtobufSchemas.FileDescriptorSet(Api.Descriptor);

        Assert.That(second, Is.EqualTo(first));
    }
}
