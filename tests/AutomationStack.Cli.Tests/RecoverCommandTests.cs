using System.Text.Json;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>`recover`: a run log cut short (a killed run, a full disk) becomes a valid, indexed log with every message before the cut.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RecoverCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Test]
    public async Task Recover_RunLogCutAtSixtyPercent_ValidLogWithEveryCompleteChunksMessages()
    {
        var root = Path.Combine(Path.GetTempPath(), "as-recover-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = await CliProcess.RunCliAsync(Timeout, "run", CliProcess.DefaultScenario, "--out", root, "--duration", "40", "--quiet");
            Assert.That(code, Is.Zero, stdout + stderr);
            var bytes = File.ReadAllBytes(Path.Combine(root, "run.mcap"));
            Assert.That(bytes.Length, Is.GreaterThan(4 << 20), "several 1 MiB chunks");
            var cut = Path.Combine(root, "cut.mcap.partial");
            File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length * 6 / 10).ToArray());
            var expected = McapReader.ScanMessages(cut).Count();

            (code, stdout, stderr) = await CliProcess.RunCliAsync(Timeout, "recover", cut);

            Assert.That(code, Is.Zero, stdout + stderr);
            var recovered = Path.Combine(root, "cut.recovered.mcap");
            Assert.That(stdout, Does.Contain($"recovered {expected} messages").And.Contain("cut short"));
            using (var reader = McapReader.Open(recovered))
            {
                reader.Validate();
                Assert.That(reader.MessageCount, Is.EqualTo((ulong)expected));
                Assert.That(expected, Is.GreaterThan(1000));
            }

            using var node = CliProcess.Start("node", [Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate", "validate.mjs"), recovered]);
            Assert.That(await node.WaitAsync(TimeSpan.FromSeconds(120)), Is.Zero, node.StandardOutput + node.StandardError);
            using var result = JsonDocument.Parse(node.StandardOutput.Trim().Split('\n')[^1]);
            Assert.That(result.RootElement.GetProperty("messages").GetInt64(), Is.EqualTo(expected));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Test]
    public async Task Recover_NotAnMcapFile_ExitTwoNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), "as-recover-" + Guid.NewGuid().ToString("N") + ".mcap");
        await File.WriteAllTextAsync(path, "not a log");
        try
        {
            var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "recover", path);

            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(path).And.Contain("not an MCAP file"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
