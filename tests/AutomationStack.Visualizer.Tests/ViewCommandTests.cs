using AutomationStack.Visualizer.Model;
using StbImageSharp;

namespace AutomationStack.Visualizer.Tests;

/// <summary>
/// <c>automationstack view</c> as a user runs it: headless frames and a window screenshot under Xvfb of a shipped
/// scenario's log (port-terminal-platoon, 3 s) and of the tiny test log, and the failure exits.
/// </summary>
[TestFixture]
public sealed class ViewCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private string _folder = null!;
    private string _tinyLog = null!;
    private string _tinyMap = null!;
    private string _shippedLog = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"viz-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");
        (_tinyLog, _tinyMap) = TestLog.Write(Path.Combine(_folder, "tiny"));
        var runOut = Path.Combine(_folder, "port-terminal");
        var scenario = Path.Combine(ChildProcess.RepoRoot, "sim-bridge", "scenarios", "port-terminal-platoon.yaml");
        var (code, stdout, stderr) = await ChildProcess.RunCliAsync(TimeSpan.FromSeconds(120), "run", scenario, "--duration", "3", "--out", runOut, "--quiet");
        Assert.That(code, Is.EqualTo(0), $"run failed\n{stdout}\n{stderr}");
        _shippedLog = Path.Combine(runOut, "run.mcap");
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Headless_ShippedScenarioLog_FramesShowTheFollowedTruckAndMapIsFound()
    {
        var frames = Path.Combine(_folder, "frames-shipped");

        var (code, _, stderr) = await ChildProcess.RunCliAsync(Timeout, "view", _shippedLog, "--headless", "--out", frames, "--from", "1", "--to", "2", "--fps", "2", "--size", "480x270");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Not.Contain("not found"));
        var files = Directory.GetFiles(frames, "frame_*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "frame_00001.png", "frame_00002.png", "frame_00003.png" }));
        AssertCentre(files[^1], Palette.SelectedTruck);
        AssertMp4(frames, stderr);
    }

    [Test]
    public async Task Window_ShippedScenarioLogUnderXvfb_ScreenshotShowsTheFollowedTruck()
    {
        var shot = Path.Combine(_folder, "window-shipped.png");

        var (code, _, stderr) = await RunUnderXvfb("view", _shippedLog, "--size", "480x270", "--screenshot", shot, "--exit-after", "1", "--speed", "2");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("screenshot"));
        AssertCentre(shot, Palette.SelectedTruck);
    }

    [Test]
    public async Task Window_TinyLogChaseViewUnderXvfb_ScreenshotIsNotEmpty()
    {
        var shot = Path.Combine(_folder, "window-chase.png");

        var (code, _, stderr) = await RunUnderXvfb("view", _tinyLog, "--map", _tinyMap, "--size", "320x240", "--view", "chase", "--follow", "truck2", "--screenshot", shot, "--exit-after", "0.5");

        Assert.That(code, Is.EqualTo(0), stderr);
        var image = Load(shot);
        var background = Palette.Background.ToBytes();
        var other = 0;
        for (var i = 0; i < image.Data.Length; i += 4)
        {
            if (Math.Abs(image.Data[i] - background.R) > 3 || Math.Abs(image.Data[i + 1] - background.G) > 3)
            {
                other++;
            }
        }

        Assert.That(other, Is.GreaterThan(image.Width * image.Height / 10), "the chase view should show road and trucks");
    }

    [Test]
    public async Task Headless_TinyLog_OneFramePerStepOfFps()
    {
        var frames = Path.Combine(_folder, "frames-tiny");

        var (code, _, stderr) = await ChildProcess.RunCliAsync(Timeout, "view", _tinyLog, "--map", _tinyMap, "--headless", "--out", frames, "--from", "0.5", "--to", "1.5", "--fps", "4", "--size", "320x240", "--follow", "truck2");

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(Directory.GetFiles(frames, "frame_*.png"), Has.Length.EqualTo(5));
        AssertCentre(Path.Combine(frames, "frame_00005.png"), Palette.SelectedTruck);
    }

    [Test]
    public async Task View_MissingLog_Exit2NamingTheFile()
    {
        var missing = Path.Combine(_folder, "absent", "run.mcap");

        var (code, _, stderr) = await ChildProcess.RunCliAsync(Timeout, "view", missing, "--headless", "--out", Path.Combine(_folder, "x"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(missing));
    }

    [Test]
    public async Task View_CorruptLog_Exit2NamingTheFile()
    {
        var corrupt = Path.Combine(_folder, "corrupt.mcap");
        await File.WriteAllBytesAsync(corrupt, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        var (code, _, stderr) = await ChildProcess.RunCliAsync(Timeout, "view", corrupt, "--headless", "--out", Path.Combine(_folder, "y"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(corrupt));
    }

    [Test]
    public async Task View_BadArgument_Exit2WithUsage()
    {
        var (code, _, stderr) = await ChildProcess.RunCliAsync(Timeout, "view", _tinyLog, "--size", "big");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--size"));
    }

    [Test]
    public async Task Window_NoDisplay_Exit4NoOpenGl()
    {
        var (code, _, stderr) = await ChildProcess.RunAsync(
            "dotnet", ["exec", ChildProcess.CliDll, "view", _tinyLog, "--map", _tinyMap, "--exit-after", "0.1"], Timeout,
            new Dictionary<string, string?> { ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null });

        Assert.That(code, Is.EqualTo(4), stderr);
        Assert.That(stderr, Does.Contain("no OpenGL"));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunUnderXvfb(params string[] viewArguments)
    {
        var xvfb = ChildProcess.OnPath("xvfb-run");
        Assert.That(xvfb, Is.Not.Null, "xvfb-run is not installed (tools/test.sh installs xvfb)");
        return ChildProcess.RunAsync(xvfb!, ["-a", "-s", "-screen 0 1024x768x24", "dotnet", "exec", ChildProcess.CliDll, .. viewArguments], Timeout);
    }

    private static void AssertMp4(string folder, string stderr)
    {
        var mp4 = Path.Combine(folder, "replay.mp4");
        if (ChildProcess.OnPath("ffmpeg") is null)
        {
            Assert.That(stderr, Does.Contain("ffmpeg is not on PATH"));
            Assert.That(File.Exists(mp4), Is.False);
        }
        else
        {
            Assert.That(new FileInfo(mp4).Length, Is.GreaterThan(0), stderr);
        }
    }

    private static ImageResult Load(string png)
    {
        using var stream = File.OpenRead(png);
        return ImageResult.FromStream(stream, ColorComponents.RedGreenBlueAlpha);
    }

    private static void AssertCentre(string png, Rgba expected)
    {
        var image = Load(png);
        var i = (((image.Height / 2) * image.Width) + (image.Width / 2)) * 4;
        var want = expected.ToBytes();
        var got = (image.Data[i], image.Data[i + 1], image.Data[i + 2]);
        Assert.That(
            Math.Abs(got.Item1 - want.R) <= 3 && Math.Abs(got.Item2 - want.G) <= 3 && Math.Abs(got.Item3 - want.B) <= 3,
            $"centre pixel of {png}: expected {want}, got {got}");
    }
}
