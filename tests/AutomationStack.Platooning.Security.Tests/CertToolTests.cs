using AutomationStack.CertTool;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class CertToolTests
{
    private static readonly DateTimeOffset FixedNow = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("certtool-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CertToolCommand.Run(args, stdout, stderr, () => FixedNow);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void Init_ThreeStations_OutputsVerifyEndToEnd()
    {
        var (code, _, err) = Run("init", "--out", _dir, "--stations", "1,2,3", "--valid-days", "30");
        Assert.That(code, Is.EqualTo(0), err);

        var root = V2xCertificate.Decode(File.ReadAllBytes(Path.Combine(_dir, "root.cert")));
        var aa = V2xCertificate.Decode(File.ReadAllBytes(Path.Combine(_dir, "aa.cert")));
        var at = V2xCertificate.Decode(File.ReadAllBytes(Path.Combine(_dir, "station-2.cert")));
        using var signer = V2xSigner.FromPem(at, File.ReadAllText(Path.Combine(_dir, "station-2.key")));
        using var verifier = new V2xVerifier();
        verifier.AddRoot(root);
        verifier.AddAuthority(aa);
        var now = (ulong)FixedNow.ToUnixTimeMilliseconds() + 1000;

        Assert.Multiple(() =>
        {
            Assert.That(at.StationId, Is.EqualTo(2u));
            Assert.That(at.Permissions, Is.EqualTo(V2xPermissions.Platooning));
            Assert.That(at.ValidFromMs, Is.EqualTo((ulong)FixedNow.ToUnixTimeMilliseconds()));
            Assert.That(verifier.Verify(signer.Sign(Pki.Pcm(2, 1, now), true, null), now, out _), Is.EqualTo(DropReason.None));
            Assert.That(File.Exists(Path.Combine(_dir, "README.txt")), Is.True);
            Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(9));
        });
    }

    [Test]
    public void Init_KeyFiles_Mode0600()
    {
        Assert.That(Run("init", "--out", _dir, "--stations", "5").Code, Is.EqualTo(0));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "station-5.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public void Init_ValidFromOption_UsedInsteadOfClock()
    {
        Assert.That(Run("init", "--out", _dir, "--stations", "1", "--valid-from", "2027-01-01T00:00:00Z").Code, Is.EqualTo(0));

        var at = V2xCertificate.Decode(File.ReadAllBytes(Path.Combine(_dir, "station-1.cert")));
        Assert.That(at.ValidFromMs, Is.EqualTo((ulong)new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()));
    }

    [TestCase("init", "--stations", "1")]
    [TestCase("init", "--out", "x", "--stations", "1,x")]
    [TestCase("init", "--out", "x", "--stations", "0")]
    [TestCase("init", "--out", "x", "--stations", "1,1")]
    [TestCase("init", "--out", "x", "--stations", "1", "--valid-days", "-3")]
    [TestCase("init", "--out", "x", "--stations", "1", "--valid-from", "yesterday")]
    [TestCase("frobnicate")]
    [TestCase("show")]
    [TestCase("bench", "--seconds", "0")]
    public void Run_BadArguments_ExitCode2(params string[] args)
    {
        var (code, _, err) = Run(args);

        Assert.That(code, Is.EqualTo(CertToolCommand.BadArguments));
        Assert.That(err, Does.Contain("usage"));
    }

    [Test]
    public void Show_MissingFile_ExitCode3()
    {
        Assert.That(Run("show", Path.Combine(_dir, "nope.cert")).Code, Is.EqualTo(CertToolCommand.IoError));
    }

    [Test]
    public void Show_GarbageFile_ExitCode4()
    {
        var path = Path.Combine(_dir, "bad.cert");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.That(Run("show", path).Code, Is.EqualTo(CertToolCommand.InvalidCertificate));
    }

    [Test]
    public void Show_StationCertificate_PrintsFieldsWithoutKeyMaterial()
    {
        Run("init", "--out", _dir, "--stations", "4");
        var (code, output, _) = Run("show", Path.Combine(_dir, "station-4.cert"));
        var pem = File.ReadAllText(Path.Combine(_dir, "station-4.key"));
        var pemBody = pem.Split('\n')[1];

        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("station id   4"));
        Assert.That(output, Does.Not.Contain(pemBody));
    }

    [Test]
    public void RunBench_ShortRun_SignsAndVerifies()
    {
        var result = CertToolCommand.RunBench(0.2);

        Assert.That(result.Signed, Is.GreaterThan(0));
        Assert.That(result.Verified, Is.GreaterThan(0));
    }
}
