using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace AutomationStack.Mcap;

/// <summary>Positional reads from a file handle with MCAP-specific truncation errors.</summary>
internal static class FileSource
{
    public static void ReadExact(SafeFileHandle handle, long offset, Span<byte> destination, string what)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(handle, destination[total..], offset + total);
            if (read == 0)
            {
                throw new McapFormatException($"File truncated while reading {what}: needed {destination.Length} bytes, got {total}", offset + total);
            }
            total += read;
        }
    }

    /// <summary>Reads a whole record (header + content) at <paramref name="offset"/> into a new array.</summary>
    public static byte[] ReadRecord(SafeFileHandle handle, long fileLength, long offset, byte expectedOpcode, ulong expectedLength, string what)
    {
        if (expectedLength < McapOpcode.RecordHeaderSize || offset < 0 || (ulong)offset + expectedLength > (ulong)fileLength || expectedLength > (ulong)Array.MaxLength)
        {
            throw new McapFormatException($"{what} at offset {offset} with length {expectedLength} lies outside the {fileLength}-byte file", offset);
        }
        var buffer = new byte[expectedLength];
        ReadExact(handle, offset, buffer, what);
        if (buffer[0] != expectedOpcode)
        {
            throw new McapFormatException($"{what}: expected a {McapOpcode.Name(expectedOpcode)} record, found {McapOpcode.Name(buffer[0])}", offset);
        }
        ulong contentLength = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(1));
        if (contentLength != expectedLength - McapOpcode.RecordHeaderSize)
        {
            throw new McapFormatException($"{what}: record content length {contentLength} does not match indexed length {expectedLength - McapOpcode.RecordHeaderSize}", offset + 1);
        }
        return buffer;
    }
}
