using System.Diagnostics;
using System.Text.Json;

namespace AutomationStack.Mcap.Tests;

/// <summary>Cross-checks our files with the independent @mcap/core reader (tools/mcap-validate).</summary>
[TestFixture]
public sealed class IndependentReaderTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public void ValidateMjs_SampleFile_AgreesWithOurReader()
    {
        string repoRoot = FindRepoRoot();
        string script = Path.Combine(repoRoot, "tools", "mcap-validate", "validate.mjs");
        string nodeModules = Path.Combine(repoRoot, "tools", "mcap-validate", "node_modules", "@mcap", "core");
        if (!Directory.Exists(nodeModules))
        {
            Assert.Fail($"tools/mcap-validate/node_modules is missing: run `npm ci --prefix tools/mcap-validate` in {repoRoot}.");
        }
        string path = McapTestFiles.WriteSampleFile("independent.mcap", 700);
        Dictionary<string, long> ours;
        using (var reader = McapReader.Open(path))
        {
            ours = McapTestFiles.CountByTopic(reader);
        }

        var (exitCode, stdout, stderr) = RunNode(script, path, repoRoot);

        Assert.That(exitCode, Is.Zero, $"validate.mjs failed: {stdout} {stderr}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.That(root.GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("messages").GetInt64(), Is.EqualTo(700));
        Assert.That(ours, Has.Count.EqualTo(McapTestFiles.Topics.Length));
        Assert.That(ToDictionary(root.GetProperty("streamCounts")), Is.EquivalentTo(ours));
        Assert.That(ToDictionary(root.GetProperty("indexedCounts")), Is.EquivalentTo(ours));
        Assert.That(root.GetProperty("statistics").GetProperty("messageCount").GetInt64(), Is.EqualTo(700));
        Assert.That(root.GetProperty("chunks").GetInt32(), Is.EqualTo(root.GetProperty("statistics").GetProperty("chunkCount").GetInt32()));
    }

    [Test]
    public void ValidateMjs_CorruptChunk_ReportsError()
    {
        string repoRoot = FindRepoRoot();
        string script = Path.Combine(repoRoot, "tools", "mcap-validate", "validate.mjs");
        if (!Directory.Exists(Path.Combine(repoRoot, "tools", "mcap-validate", "node_modules", "@mcap", "core")))
        {
            Assert.Fail($"tools/mcap-validate/node_modules is missing: run `npm ci --prefix tools/mcap-validate` in {repoRoot}.");
        }
        string path = McapTestFiles.WriteSampleFile("independent-corrupt.mcap", 100);
        var bytes = File.ReadAllBytes(path);
        bytes[200] ^= 0xFF; // inside the first chunk's records
        File.WriteAllBytes(path, bytes);

        var (exitCode, stdout, _) = RunNode(script, path, repoRoot);

        Assert.That(exitCode, Is.EqualTo(1));
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("ok").GetBoolean(), Is.False);
        Assert.That(json.RootElement.GetProperty("error").GetString(), Does.Contain("CRC"));
    }

    private static Dictionary<string, long> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = property.Value.GetInt64();
        }
        return result;
    }

    private static (int ExitCode, string Stdout, string Stderr) RunNode(string script, string mcapPath, string workingDirectory)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(mcapPath);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"`node` was not found ({ex.Message}). Install Node.js and run `npm ci --prefix tools/mcap-validate`.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(NodeTimeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"validate.mjs did not finish within {NodeTimeout.TotalSeconds} s and was killed.");
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.GetAwaiter().GetResult().Trim(), stderr.GetAwaiter().GetResult().Trim());
        }
    }

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AutomationStack.sln")))
            {
                return directory.FullName;
            }
            directory = directory.Parent;
        }
        Assert.Fail($"AutomationStack.sln not found above {TestContext.CurrentContext.TestDirectory}");
        throw new InvalidOperationException("unreachable");
    }
}
