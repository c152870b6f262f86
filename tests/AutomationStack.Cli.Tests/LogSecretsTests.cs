using System.Security.Cryptography;
using AutomationStack.Platooning.Security;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// No private key reaches a recording: a signed-platoon run's run.mcap, kpi.json and vehicle logs hold neither any
/// truck's PKCS#8 key nor its raw private scalar (the bridge hands each vehicle its key at attach, which is not recorded;
/// the log carries certificates and signatures only).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LogSecretsTests
{
    [Test]
    public async Task Run_SignedPlatoon_NoPrivateKeyInAnyOutput()
    {
        var root = Path.Combine(Path.GetTempPath(), "as-secrets-" + Guid.NewGuid().ToString("N"));
        try
        {
            var scenario = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", "platoon-join-back.yaml");
            var (code, stdout, stderr) = await CliProcess.RunCliAsync(TimeSpan.FromMinutes(4), "run", scenario, "--out", root, "--duration", "10", "--quiet");
            Assert.That(code, Is.Zero, stdout + stderr);

            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            Assert.That(files.Select(Path.GetFileName), Does.Contain("run.mcap").And.Contain("kpi.json"));
            var contents = files.Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).ToList();

            // The scenario's seed is 42 by default; the trucks are stations 1..4 (scenario order).
            using var pki = new SimulationPki(42, Bridge.BridgeRun.V2xEpochMs);
            var checkedKeys = 0;
            for (uint station = 1; station <= 4; station++)
            {
                var pkcs8 = pki.For(station).PrivateKeyPkcs8;
                using var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(pkcs8, out _);
                var scalar = key.ExportParameters(includePrivateParameters: true).D!;
                string[] texts = [Convert.ToBase64String(pkcs8), Convert.ToHexString(scalar), Convert.ToHexStringLower(scalar), Convert.ToBase64String(scalar)];
                foreach (var (path, bytes) in contents)
                {
                    Assert.That(bytes.AsSpan().IndexOf(pkcs8), Is.EqualTo(-1), $"station {station}'s PKCS#8 key in {path}");
                    Assert.That(bytes.AsSpan().IndexOf(scalar), Is.EqualTo(-1), $"station {station}'s private scalar in {path}");
                    foreach (var text in texts)
                    {
                        Assert.That(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(text)), Is.EqualTo(-1), $"station {station}'s key as text in {path}");
                    }
                }

                checkedKeys++;
            }

            Assert.That(checkedKeys, Is.EqualTo(4));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
