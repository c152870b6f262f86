namespace AutomationStack.Simulation.Tests;

public class RandomTests
{
    [Test]
    public void NextGaussian_ManyDraws_StandardNormalMoments()
    {
        const int draws = 100_000;
        var rng = new DeterministicRandom(12345);
        var sum = 0.0;
        var sumSquares = 0.0;
        for (var i = 0; i < draws; i++)
        {
            var x = rng.NextGaussian();
            sum += x;
            sumSquares += x * x;
        }

        Assert.That(sum / draws, Is.EqualTo(0).Within(0.015));
        Assert.That(sumSquares / draws, Is.EqualTo(1).Within(0.02));
    }

    [Test]
    public void NextDouble_ManyDraws_UniformInUnitInterval()
    {
        var rng = new DeterministicRandom(7);
        var below = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var u = rng.NextDouble();
            Assert.That(u, Is.GreaterThanOrEqualTo(0).And.LessThan(1));
            below += u < 0.25 ? 1 : 0;
        }

        Assert.That(below, Is.InRange(2330, 2670));
    }

    [Test]
    public void ForStream_DifferentNamesOrIds_IndependentSequences()
    {
        var a = DeterministicRandom.ForStream(1, "truck1", "ego").NextUInt64();
        var b = DeterministicRandom.ForStream(1, "truck1", "radar").NextUInt64();
        var c = DeterministicRandom.ForStream(1, "truck2", "ego").NextUInt64();
        var again = DeterministicRandom.ForStream(1, "truck1", "ego").NextUInt64();

        Assert.That(new[] { a, b, c }, Is.Unique);
        Assert.That(again, Is.EqualTo(a));
    }

    [Test]
    public void Hash_EmptyStrings_FnvOfTwoSeparatorBytes()
    {
        // FNV-1a 64 of bytes {0x00, 0x00}, computed by hand from the published offset basis and prime.
        var h = 0xCBF29CE484222325UL;
        h *= 0x100000001B3UL;
        h *= 0x100000001B3UL;

        Assert.That(Fnv1a64.Hash(string.Empty, string.Empty), Is.EqualTo(h));
    }
}
