using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle.Pipeline.Tests;

internal sealed class PipelineOptionsTests
{
    [Test]
    public void FromParameters_Empty_ReturnsDefaults()
    {
        // Arrange / Act
        var options = PipelineOptions.FromParameters(new Dictionary<string, double>());

        // Assert
        Assert.That(options, Is.EqualTo(PipelineOptions.Default));
    }

    [Test]
    public void FromParameters_KnownKeys_BindsValues()
    {
        // Arrange
        var parameters = new Dictionary<string, double>
        {
            ["acc.time_gap"] = 2.0,
            ["acc.standstill_gap"] = 8.0,
            ["acc.set_speed_offset"] = -1.5,
            ["tracker.confirm_hits"] = 2,
            ["lane_keeping.max_lookahead"] = 30.0,
        };

        // Act
        var options = PipelineOptions.FromParameters(parameters);

        // Assert
        Assert.That(options.Acc.TimeGap, Is.EqualTo(2.0));
        Assert.That(options.Acc.StandstillGap, Is.EqualTo(8.0));
        Assert.That(options.Acc.SetSpeedOffset, Is.EqualTo(-1.5));
        Assert.That(options.Tracker.ConfirmationHits, Is.EqualTo(2));
        Assert.That(options.LaneKeeping.MaxLookahead, Is.EqualTo(30.0));
    }

    [Test]
    public void FromParameters_UnknownKey_ThrowsNamingKey()
    {
        // Arrange
        var parameters = new Dictionary<string, double> { ["acc.time_gapp"] = 1.0 };

        // Act / Assert
        var ex = Assert.Throws<ArgumentException>(() => PipelineOptions.FromParameters(parameters));
        Assert.That(ex!.Message, Does.Contain("acc.time_gapp"));
    }

    [TestCase("acc.time_gap", 0.1, "[0.5, 4]")]
    [TestCase("acc.time_gap", double.NaN, "[0.5, 4]")]
    [TestCase("tracker.confirm_window", 3.5, "integer")]
    [TestCase("safety.degraded_timeout", 1000.0, "[0.5, 120]")]
    public void FromParameters_OutOfRange_ThrowsNamingKeyAndRange(string key, double value, string expected)
    {
        // Arrange
        var parameters = new Dictionary<string, double> { [key] = value };

        // Act / Assert
        var ex = Assert.Throws<ArgumentException>(() => PipelineOptions.FromParameters(parameters));
        Assert.That(ex!.Message, Does.Contain(key).And.Contain(expected));
    }

    [Test]
    public void FromParameters_InconsistentPair_Throws()
    {
        // Arrange
        var parameters = new Dictionary<string, double> { ["tracker.confirm_hits"] = 6, ["tracker.confirm_window"] = 5 };

        // Act / Assert
        var ex = Assert.Throws<ArgumentException>(() => PipelineOptions.FromParameters(parameters));
        Assert.That(ex!.Message, Does.Contain("tracker.confirm_hits"));
    }

    [Test]
    public void Parameters_EveryKey_DocumentedInReadme()
    {
        // Arrange
        var readme = File.ReadAllText(FindReadme());

        // Act / Assert
        foreach (var spec in PipelineOptions.Parameters)
        {
            Assert.That(readme, Does.Contain("`" + spec.Key + "`"), spec.Key);
        }
    }

    [Test]
    public void Parameters_Defaults_LieInsideTheirRanges()
    {
        // Arrange / Act / Assert
        Assert.DoesNotThrow(() => PipelineOptions.Default.Validate());
    }

    private static string FindReadme()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "src", "AutomationStack.Vehicle.Pipeline", "README.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }

            dir = dir.Parent;
        }

        throw new FileNotFoundException("Pipeline README not found above the test directory.");
    }
}
