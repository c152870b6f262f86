using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

[TestFixture]
public sealed class ViewOptionsTests
{
    [Test]
    public void Parse_AllOptions_Read()
    {
        var o = ViewOptions.Parse(["run.mcap", "--headless", "--out", "o", "--from", "1.5", "--to", "3", "--fps", "20", "--size", "640x360", "--follow", "truck2", "--view", "chase"]);

        Assert.That(
            (o.LogPath, o.Headless, o.OutDir, o.From, o.To, o.Fps, o.Width, o.Height, o.Follow, o.View),
            Is.EqualTo(("run.mcap", true, "o", (double?)1.5, (double?)3.0, 20.0, 640, 360, "truck2", ViewMode.Chase)));
    }

    [Test]
    public void Parse_OnlyLog_Defaults()
    {
        var o = ViewOptions.Parse(["run.mcap"]);

        Assert.That((o.Headless, o.Width, o.Height, o.Fps, o.View, o.Speed), Is.EqualTo((false, 1280, 720, 10.0, ViewMode.Top, 1.0)));
    }

    [TestCase(new[] { "run.mcap", "--size", "10x10" }, "--size")]
    [TestCase(new[] { "run.mcap", "--headless" }, "--out")]
    [TestCase(new[] { "run.mcap", "--view", "side" }, "--view")]
    [TestCase(new[] { "run.mcap", "--speed", "32" }, "--speed")]
    [TestCase(new[] { "run.mcap", "--from", "5", "--to", "2" }, "--to")]
    [TestCase(new[] { "run.mcap", "--screenshot", "a.png" }, "--exit-after")]
    [TestCase(new[] { "--headless", "--out", "o" }, "run.mcap")]
    [TestCase(new[] { "run.mcap", "--bogus" }, "--bogus")]
    public void Parse_BadArguments_ThrowsNamingTheProblem(string[] args, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => ViewOptions.Parse(args));

        Assert.That(ex!.Message, Does.Contain(named));
    }
}
