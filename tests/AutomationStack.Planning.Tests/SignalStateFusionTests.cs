namespace AutomationStack.Planning.Tests;

internal sealed class SignalStateFusionTests
{
    private static readonly SignalFusionOptions Options = new();
    private static readonly SignalTiming GreenFor10 = new(SignalPhase.Green, 10, 10, 10, 1);

    [Test]
    public void Fuse_SpatAndCameraAgree_KeepsSpatTiming()
    {
        var f = SignalStateFusion.Fuse(GreenFor10, 0.05, SignalPhase.Green, 0.1, Options);

        Assert.That(f.Phase, Is.EqualTo(SignalPhase.Green));
        Assert.That(f.Timing, Is.EqualTo(GreenFor10));
        Assert.That(f.Source, Is.EqualTo(SignalSource.SpatAndCamera));
        Assert.That(f.Disagreement, Is.False);
    }

    [Test]
    public void Fuse_SpatGreenCameraRed_RedWithoutTiming()
    {
        var f = SignalStateFusion.Fuse(GreenFor10, 0.05, SignalPhase.Red, 0.1, Options);

        Assert.That(f.Phase, Is.EqualTo(SignalPhase.Red));
        Assert.That(f.Timing.HasEndTimes, Is.False);
        Assert.That(f.Disagreement, Is.True);
    }

    [Test]
    public void Fuse_SpatRedCameraGreen_RedWithSpatTiming()
    {
        var red = new SignalTiming(SignalPhase.Red, 5, 8, 6, 0.7);

        var f = SignalStateFusion.Fuse(red, 0.05, SignalPhase.Green, 0.1, Options);

        Assert.That(f.Timing, Is.EqualTo(red));
        Assert.That(f.Disagreement, Is.True);
    }

    [Test]
    public void Fuse_SpatAmberCameraGreen_Amber()
    {
        var amber = new SignalTiming(SignalPhase.Amber, 3, 3, 3, 1);

        Assert.That(SignalStateFusion.Fuse(amber, 0, SignalPhase.Green, 0, Options).Phase, Is.EqualTo(SignalPhase.Amber));
    }

    [Test]
    public void Fuse_CameraUnknown_SpatWithoutDisagreement()
    {
        var f = SignalStateFusion.Fuse(GreenFor10, 0.05, SignalPhase.Unknown, 0.1, Options);

        Assert.That(f.Source, Is.EqualTo(SignalSource.Spat));
        Assert.That(f.Disagreement, Is.False);
    }

    [Test]
    public void Fuse_SpatStale_CameraOnlyUntimed()
    {
        var f = SignalStateFusion.Fuse(GreenFor10, 1.0, SignalPhase.Green, 0.1, Options);

        Assert.That(f.Source, Is.EqualTo(SignalSource.Camera));
        Assert.That(f.Timing.HasEndTimes, Is.False);
    }

    [Test]
    public void Fuse_NothingFresh_Unknown()
    {
        var f = SignalStateFusion.Fuse(null, double.NaN, SignalPhase.Green, 5.0, Options);

        Assert.That(f.Phase, Is.EqualTo(SignalPhase.Unknown));
        Assert.That(f.Source, Is.EqualTo(SignalSource.None));
    }
}
