using System.Buffers.Binary;
using System.Text;

namespace AutomationStack.Traci.Tests;

/// <summary>Hand-built TraCI replies (big-endian) for codec tests.</summary>
internal sealed class Bytes
{
    private readonly List<byte> _data = [];

    public Bytes U8(int v)
    {
        _data.Add((byte)v);
        return this;
    }

    public Bytes I32(int v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        _data.AddRange(b.ToArray());
        return this;
    }

    public Bytes F64(double v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        _data.AddRange(b.ToArray());
        return this;
    }

    public Bytes Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        I32(b.Length);
        _data.AddRange(b);
        return this;
    }

    public Bytes Raw(params byte[] b)
    {
        _data.AddRange(b);
        return this;
    }

    public Bytes TDouble(double v) => U8(0x0B).F64(v);

    public Bytes TInt(int v) => U8(0x09).I32(v);

    public Bytes TStr(string s) => U8(0x0C).Str(s);

    public Bytes TStrList(params string[] items)
    {
        U8(0x0E).I32(items.Length);
        foreach (var s in items) Str(s);
        return this;
    }

    public Bytes Compound(int n) => U8(0x0F).I32(n);

    /// <summary>A command in short form (length byte counts itself, the id and the content).</summary>
    public Bytes Command(int id, Bytes content)
    {
        var c = content.ToArray();
        if (c.Length + 2 <= 255)
        {
            U8(c.Length + 2).U8(id);
        }
        else
        {
            U8(0).I32(c.Length + 6).U8(id);
        }

        _data.AddRange(c);
        return this;
    }

    public Bytes Status(int id, int result = 0, string description = "") =>
        Command(id, new Bytes().U8(result).Str(description));

    /// <summary>Status plus a get response with the value bytes.</summary>
    public Bytes GetReply(int cmd, int variable, string objectId, Bytes value) =>
        Status(cmd).Command(cmd + 0x10, new Bytes().U8(variable).Str(objectId).Raw(value.ToArray()));

    public byte[] ToArray() => [.. _data];
}
