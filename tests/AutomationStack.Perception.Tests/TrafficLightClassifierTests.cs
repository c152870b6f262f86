using AutomationStack.Dataset;

namespace AutomationStack.Perception.Tests;

/// <summary>
/// The committed classifier against a held-out set regenerated here from the test seeds (so the model is checked
/// against the current camera model), and its start-up errors.
/// </summary>
internal sealed class TrafficLightClassifierTests
{
    private const int Scenes = 1000;

    /// <summary>Less than this share of the lit lamp visible: the head is occluded and must come out unknown.</summary>
    private const double Occluded = 0.25;

    [Test]
    public void Classify_HeldOutTestScenes_AccurateAndNeverGreenForRedOrAmber()
    {
        using var classifier = new TrafficLightClassifier(ModelFiles.Classifier);
        var (crops, labels, samples) = DatasetSplits.GenerateLights(DatasetSplits.TestSeedBase, Scenes);
        var confusion = new int[5, 4];
        var (unoccluded, unoccludedCorrect, mustBeUnknown, calledColour, between, betweenWrong, redOrAmberGreen) = (0, 0, 0, 0, 0, 0, 0);
        for (var i = 0; i < labels.Length; i++)
        {
            var state = classifier.Classify(crops.AsSpan(i * TrafficLightCrop.Size, TrafficLightCrop.Size)).State;
            var sample = samples[i];
            confusion[labels[i], (int)state]++;
            var truth = sample.Lamp == Simulation.Camera.SignalLamp.Off ? LightState.Unknown : (LightState)((int)sample.Lamp - 1);
            redOrAmberGreen += truth is LightState.Red or LightState.Amber && state == LightState.Green ? 1 : 0;
            if (truth == LightState.Unknown || sample.Visibility < Occluded)
            {
                // Dark, or the lit lamp (nearly) hidden.
                mustBeUnknown++;
                if (state != LightState.Unknown)
                {
                    calledColour++;
                    TestContext.Out.WriteLine($"occluded or dark head called {state}: lamp {sample.Lamp}, lit lamp visible {sample.Visibility:0.00}, {sample.PixelHeight} px at {sample.Distance:0} m");
                }
            }
            else if (sample.Visibility >= 0.99 && !sample.WashedOut)
            {
                unoccluded++;
                unoccludedCorrect += state == truth ? 1 : 0;
            }
            else
            {
                // Partly hidden or washed out by glare: its colour or unknown is right, another colour is wrong.
                between++;
                betweenWrong += state == truth || state == LightState.Unknown ? 0 : 1;
            }
        }

        var accuracy = (double)unoccludedCorrect / unoccluded;
        TestContext.Out.WriteLine($"{labels.Length} crops from {Scenes} test scenes");
        TestContext.Out.WriteLine($"unoccluded heads (lit lamp ≥ 99 % visible, not washed out): {unoccluded}, accuracy {accuracy:0.0000}");
        TestContext.Out.WriteLine($"occluded (lit lamp < {Occluded:0%} visible) or dark heads: {mustBeUnknown}, called a colour {calledColour}");
        TestContext.Out.WriteLine($"partly hidden or washed out: {between}, called another colour {betweenWrong}; red or amber called green: {redOrAmberGreen}");
        TestContext.Out.WriteLine("dataset labels (rows) against predictions (red, amber, green, unknown):");
        for (var t = 0; t < 5; t++)
        {
            TestContext.Out.WriteLine($"  {(LightLabel)t,-12} {confusion[t, 0],6} {confusion[t, 1],6} {confusion[t, 2],6} {confusion[t, 3],6}");
        }

        Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.99), "accuracy on unoccluded heads");
        Assert.That(redOrAmberGreen, Is.Zero, "red or amber classified green");
        Assert.That(calledColour, Is.Zero, "occluded or dark heads must come out unknown");
        Assert.That(betweenWrong, Is.Zero, "a partly hidden or washed-out head called another colour");
    }

    [Test]
    public void Constructor_MissingFile_ClearErrorNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");

        var ex = Assert.Throws<PerceptionModelException>(() => new TrafficLightClassifier(path));

        Assert.That(ex!.Message, Does.Contain(path).And.Contain("not found"));
    }

    [Test]
    public void Constructor_CorruptFile_ClearErrorNamingThePath()
    {
        var path = Path.GetTempFileName();
        try
        {
            var bytes = File.ReadAllBytes(ModelFiles.Classifier);
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 3).ToArray());

            var ex = Assert.Throws<PerceptionModelException>(() => new TrafficLightClassifier(path));

            Assert.That(ex!.Message, Does.Contain(path).And.Contain("not a loadable ONNX model"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Classify_WrongCropSize_Throws()
    {
        using var classifier = new TrafficLightClassifier(ModelFiles.Classifier);

        Assert.Throws<ArgumentException>(() => classifier.Classify(new byte[10]));
    }
}
