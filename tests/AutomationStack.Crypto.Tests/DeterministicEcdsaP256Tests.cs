using System.Security.Cryptography;
using System.Text;

namespace AutomationStack.Crypto.Tests;

[TestFixture]
internal sealed class DeterministicEcdsaP256Tests
{
    // RFC 6979 appendix A.2.5 (P-256), SHA-256 vectors.
    private static readonly byte[] RfcKey = Convert.FromHexString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
    private const string RfcUx = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
    private const string RfcUy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

    [TestCase(
        "sample",
        "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8")]
    [TestCase(
        "test",
        "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
        "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083")]
    public void SignData_Rfc6979Vector_MatchesPublishedSignature(string message, string k, string r, string s)
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        var signature = new byte[64];
        int written = signer.SignData(Encoding.ASCII.GetBytes(message), signature);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(64));
            Assert.That(Convert.ToHexString(signature), Is.EqualTo(r + s));

            // Independent check of r: x(k·G) mod n from the BCL (ECDH with private key k and peer G).
            byte[] x = TestKeys.BclBaseMultiplyX(TestKeys.FromBytes(Convert.FromHexString(k)));
            Assert.That(Convert.ToHexString(TestKeys.ToBytes32(TestKeys.FromBytes(x) % TestKeys.N)), Is.EqualTo(r));
        });
    }

    [Test]
    public void PublicKey_Rfc6979Key_MatchesPublishedPoint()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        Assert.That(Convert.ToHexString(signer.PublicKey), Is.EqualTo("04" + RfcUx + RfcUy));
    }

    [Test]
    public void SignData_Rfc6979Vectors_VerifyWithBcl()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        using var verifier = ECDsa.Create(signer.ExportPublicParameters());
        foreach (string message in new[] { "sample", "test" })
        {
            byte[] data = Encoding.ASCII.GetBytes(message);
            var signature = new byte[64];
            signer.SignData(data, signature);
            Assert.That(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256), Is.True, message);
        }
    }

    [Test]
    public void SignHash_5000RandomKeysAndMessages_VerifyWithBcl()
    {
        var random = new Random(1363);
        var message = new byte[48];
        var signature = new byte[64];
        var hash = new byte[32];
        DeterministicEcdsaP256? signer = null;
        ECDsa? verifier = null;
        try
        {
            for (int i = 0; i < 5000; i++)
            {
                if (i % 10 == 0)
                {
                    signer?.Dispose();
                    verifier?.Dispose();
                    signer = new DeterministicEcdsaP256(TestKeys.ToBytes32(TestKeys.RandomScalar(random)));
                    verifier = ECDsa.Create(signer.ExportPublicParameters());
                }

                random.NextBytes(message);
                SHA256.HashData(message, hash);
                signer!.SignHash(hash, signature);
                Assert.That(verifier!.VerifyHash(hash, signature), Is.True, $"signature #{i}");
                Assert.That(verifier.VerifyData(message, signature, HashAlgorithmName.SHA256), Is.True, $"data #{i}");
            }
        }
        finally
        {
            signer?.Dispose();
            verifier?.Dispose();
        }
    }

    [Test]
    public void SignData_SameKeyAndMessage_GivesSameSignature()
    {
        var random = new Random(11);
        for (int i = 0; i < 50; i++)
        {
            byte[] key = TestKeys.ToBytes32(TestKeys.RandomScalar(random));
            var message = new byte[random.Next(0, 200)];
            random.NextBytes(message);
            var first = new byte[64];
            var second = new byte[64];
            using (var a = new DeterministicEcdsaP256(key))
            {
                a.SignData(message, first);
                a.SignData(message, second);
            }

            Assert.That(second, Is.EqualTo(first));
            using var b = new DeterministicEcdsaP256(key);
            var third = new byte[64];
            b.SignData(message, third);
            Assert.That(third, Is.EqualTo(first), "a fresh instance gives the same signature");
        }
    }

    [Test]
    public void SignData_DifferentMessages_GiveDifferentSignatures()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rs = new HashSet<string>(StringComparer.Ordinal);
        var signature = new byte[64];
        for (int i = 0; i < 500; i++)
        {
            signer.SignData(BitConverter.GetBytes(i), signature);
            Assert.That(seen.Add(Convert.ToHexString(signature)), Is.True, $"message {i}");
            Assert.That(rs.Add(Convert.ToHexString(signature, 0, 32)), Is.True, $"nonce reuse at message {i}");
        }
    }

    [Test]
    public void VerifyHash_FlippedBitInMessageOrSignature_Fails()
    {
        var random = new Random(99);
        using var signer = new DeterministicEcdsaP256(TestKeys.ToBytes32(TestKeys.RandomScalar(random)));
        using var verifier = ECDsa.Create(signer.ExportPublicParameters());
        var message = new byte[64];
        random.NextBytes(message);
        var signature = new byte[64];
        signer.SignData(message, signature);
        Assert.That(verifier.VerifyData(message, signature, HashAlgorithmName.SHA256), Is.True);

        for (int bit = 0; bit < message.Length * 8; bit += 7)
        {
            byte[] tampered = (byte[])message.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(verifier.VerifyData(tampered, signature, HashAlgorithmName.SHA256), Is.False, $"message bit {bit}");
        }

        for (int bit = 0; bit < 512; bit++)
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(verifier.VerifyData(message, tampered, HashAlgorithmName.SHA256), Is.False, $"signature bit {bit}");
        }
    }

    [Test]
    public void SignHash_Concurrent_GivesSameSignaturesAsSequential()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        byte[][] hashes = Enumerable.Range(0, 400).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToArray();
        byte[][] sequential = hashes.Select(h =>
        {
            var s = new byte[64];
            signer.SignHash(h, s);
            return s;
        }).ToArray();
        var parallel = new byte[hashes.Length][];
        Parallel.For(0, hashes.Length, i =>
        {
            var s = new byte[64];
            signer.SignHash(hashes[i], s);
            parallel[i] = s;
        });
        Assert.That(parallel, Is.EqualTo(sequential));
    }

    [Test]
    public void Constructor_ZeroKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(new byte[32]));
    }

    [Test]
    public void Constructor_KeyEqualToOrder_Throws()
    {
        byte[] n = TestKeys.ToBytes32(TestKeys.N);
        byte[] allOnes = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(n));
            Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(allOnes));
        });
    }

    [Test]
    public void Constructor_WrongLength_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(new byte[31]));
            Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(new byte[33]));
        });
    }

    [Test]
    public void Constructor_OrderMinusOne_Accepted()
    {
        using var signer = new DeterministicEcdsaP256(TestKeys.ToBytes32(TestKeys.N - 1));
        Assert.That(signer.PublicKey.ToArray(), Is.EqualTo(TestKeys.BclPublicKey(TestKeys.ToBytes32(TestKeys.N - 1))));
    }

    [Test]
    public void SignHash_WrongHashOrShortDestination_Throws()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[31], new byte[64]));
            Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[48], new byte[64]));
            Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[32], new byte[63]));
        });
    }

    [Test]
    public void SignHash_AfterDispose_ThrowsObjectDisposed()
    {
        var signer = new DeterministicEcdsaP256(RfcKey);
        signer.Dispose();
        signer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => signer.SignHash(new byte[32], new byte[64]));
    }

    [Test]
    public void ToString_AnyKey_DoesNotContainPrivateKey()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        string text = signer.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Not.Contain(Convert.ToHexString(RfcKey)).IgnoreCase);
            Assert.That(text, Does.Not.Contain(Convert.ToHexString(RfcKey, 0, 4)).IgnoreCase);
            Assert.That(text, Does.Contain("P-256"));
        });
    }

    [Test]
    public void Constructor_InvalidKey_MessageDoesNotContainKey()
    {
        byte[] tooBig = TestKeys.ToBytes32(TestKeys.N + 0x5EC2E7);
        var ex = Assert.Throws<ArgumentException>(() => _ = new DeterministicEcdsaP256(tooBig));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Not.Contain(Convert.ToHexString(tooBig, 28, 4)).IgnoreCase);
            Assert.That(ex.Message, Does.Not.Contain(Convert.ToHexString(tooBig, 0, 4)).IgnoreCase);
        });
    }

    [Test]
    public void SignHash_Warm_DoesNotAllocate()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        var hash = new byte[32];
        var signature = new byte[64];
        for (int i = 0; i < 50; i++)
        {
            hash[0] = (byte)i;
            signer.SignHash(hash, signature);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            hash[1] = (byte)i;
            signer.SignHash(hash, signature);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void SignData_LargeMessage_EqualsSignHashOfSha256()
    {
        using var signer = new DeterministicEcdsaP256(RfcKey);
        var data = new byte[100_000];
        new Random(3).NextBytes(data);
        var viaData = new byte[64];
        var viaHash = new byte[64];
        signer.SignData(data, viaData);
        signer.SignHash(SHA256.HashData(data), viaHash);
        Assert.That(viaData, Is.EqualTo(viaHash));
    }
}
