using System.Buffers.Binary;
using System.Numerics;

namespace AutomationStack.Crypto;

/// <summary>A 256-bit unsigned integer as four little-endian 64-bit limbs (L0 least significant).</summary>
internal struct U256
{
    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;

    public U256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public readonly bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public static U256 FromBigEndian(ReadOnlySpan<byte> bytes32)
    {
        if (bytes32.Length != 32)
        {
            throw new ArgumentException("Expected 32 bytes.", nameof(bytes32));
        }

        return new U256(
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes32));
    }

    public readonly void WriteBigEndian(Span<byte> destination32)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination32, L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[8..], L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[16..], L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[24..], L0);
    }

    public static U256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Value must be in [0, 2^256).");
        }

        Span<byte> buffer = stackalloc byte[32];
        buffer.Clear();
        int written = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(buffer[(32 - written)..], out _, isUnsigned: true, isBigEndian: true);
        return FromBigEndian(buffer);
    }

    public readonly BigInteger ToBigInteger()
    {
        Span<byte> buffer = stackalloc byte[32];
        WriteBigEndian(buffer);
        return new BigInteger(buffer, isUnsigned: true, isBigEndian: true);
    }

    public readonly bool Equals(in U256 other) =>
        ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    /// <summary>Nibble <paramref name="index"/> (0 = least significant 4 bits).</summary>
    public readonly int Nibble(int index)
    {
        ulong limb = (index >> 4) switch
        {
            0 => L0,
            1 => L1,
            2 => L2,
            _ => L3,
        };
        return (int)((limb >> ((index & 15) * 4)) & 0xF);
    }

    /// <summary>a − b; returns the borrow (0 or 1).</summary>
    public static ulong Subtract(in U256 a, in U256 b, out U256 result)
    {
        ulong borrow = 0;
        result.L0 = Sbb(a.L0, b.L0, ref borrow);
        result.L1 = Sbb(a.L1, b.L1, ref borrow);
        result.L2 = Sbb(a.L2, b.L2, ref borrow);
        result.L3 = Sbb(a.L3, b.L3, ref borrow);
        return borrow;
    }

    /// <summary>a + b; returns the carry (0 or 1).</summary>
    public static ulong Add(in U256 a, in U256 b, out U256 result)
    {
        ulong carry = 0;
        result.L0 = Adc(a.L0, b.L0, ref carry);
        result.L1 = Adc(a.L1, b.L1, ref carry);
        result.L2 = Adc(a.L2, b.L2, ref carry);
        result.L3 = Adc(a.L3, b.L3, ref carry);
        return carry;
    }

    /// <summary>True when a &lt; b.</summary>
    public static bool LessThan(in U256 a, in U256 b) => Subtract(a, b, out _) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static ulong Adc(ulong a, ulong b, ref ulong carry)
    {
        ulong sum = a + b;
        ulong c1 = sum < a ? 1UL : 0UL;
        ulong result = sum + carry;
        ulong c2 = result < sum ? 1UL : 0UL;
        carry = c1 | c2;
        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static ulong Sbb(ulong a, ulong b, ref ulong borrow)
    {
        ulong diff = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong result = diff - borrow;
        ulong b2 = diff < borrow ? 1UL : 0UL;
        borrow = b1 | b2;
        return result;
    }

    public override readonly string ToString() => "U256";
}
