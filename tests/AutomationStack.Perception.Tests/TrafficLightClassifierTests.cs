using AutomationStack.Dataset;

namespace AutomationStack.Perception.Tests;

/// <summary>
/// The committed classifier against a held-out set regenerated here from the test seeds (so the model is checked
/// against the current camera model), and its start-up errors.
/// </summary>
internal sealed class TrafficLightClassifierTests
{
    private const int Scenes = 1000;

    [Test]
    public void Classify_HeldOutTestScenes_AccurateAndNeverGreenForRedOrAmber()
    {
        using var classifier = new TrafficLightClassifier(ModelFiles.Classifier);
        var (crops, labels, samples) = Program.GenerateLights(Program.TestSeedBase, Scenes);
        var confusion = new int[5, 4];
        var (fullyVisible, fullyVisibleCorrect, occluded, occludedCalledColour, partlyWrongColour) = (0, 0, 0, 0, 0);
        for (var i = 0; i < labels.Length; i++)
        {
            var state = classifier.Classify(crops.AsSpan(i * TrafficLightCrop.Size, TrafficLightCrop.Size)).State;
            var label = (LightLabel)labels[i];
            confusion[(int)label, (int)state]++;
            var lamp = samples[i].Lamp;
            if (label <= LightLabel.Green && samples[i].Visibility >= 0.99)
            {
                fullyVisible++;
                fullyVisibleCorrect += (int)state == (int)label ? 1 : 0;
            }

            if (label == LightLabel.Unknown && lamp != Simulation.Camera.SignalLamp.Off)
            {
                occluded++;
                occludedCalledColour += state == LightState.Unknown ? 0 : 1;
            }

            if (label == LightLabel.PartlyHidden && state != LightState.Unknown && (int)state != (int)lamp - 1)
            {
                partlyWrongColour++;
            }
        }

        var (visible, correct) = (0, 0);
        for (var t = 0; t < 3; t++)
        {
            for (var p = 0; p < 4; p++)
            {
                visible += confusion[t, p];
            }

            correct += confusion[t, t];
        }

        var accuracy = (double)correct / visible;
        var unoccludedAccuracy = (double)fullyVisibleCorrect / fullyVisible;
        TestContext.Out.WriteLine($"{labels.Length} crops from {Scenes} test scenes");
        TestContext.Out.WriteLine($"unoccluded heads (lit lamp ≥ 99 % visible): {fullyVisible}, accuracy {unoccludedAccuracy:0.0000}");
        TestContext.Out.WriteLine($"heads with ≥ 80 % of the lit lamp visible: {visible}, accuracy {accuracy:0.0000}");
        TestContext.Out.WriteLine($"occluded heads: {occluded}, called a colour {occludedCalledColour}; partly hidden called a wrong colour {partlyWrongColour}");
        TestContext.Out.WriteLine("rows truth, columns prediction (red, amber, green, unknown):");
        for (var t = 0; t < 5; t++)
        {
            TestContext.Out.WriteLine($"  {(LightLabel)t,-12} {confusion[t, 0],6} {confusion[t, 1],6} {confusion[t, 2],6} {confusion[t, 3],6}");
        }

        Assert.That(unoccludedAccuracy, Is.GreaterThanOrEqualTo(0.99), "accuracy on unoccluded heads");
        Assert.That(confusion[0, 2] + confusion[1, 2], Is.Zero, "red or amber classified green");
        Assert.That(occludedCalledColour, Is.Zero, "occluded heads must come out unknown");
        Assert.That(partlyWrongColour, Is.Zero, "a partly hidden head called another colour");
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
