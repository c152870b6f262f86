using System.Globalization;

namespace AutomationStack.Crypto.Tests;

[TestFixture]
internal sealed class BenchmarkTests
{
    [Test]
    [Explicit("Timing report only; run with --filter Measure_SixSeconds_PrintsRates.")]
    public void Measure_SixSeconds_PrintsRates()
    {
        (double signs, double verifies) = DeterministicEcdsaP256.Measure(TimeSpan.FromSeconds(6));
        TestContext.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"sign (DeterministicEcdsaP256): {signs:F0}/s = {1e6 / signs:F1} us/signature; verify (BCL ECDsa.VerifyHash): {verifies:F0}/s = {1e6 / verifies:F1} us/verify; {Environment.ProcessorCount} CPUs"));
        Assert.That(signs, Is.GreaterThan(0));
    }
}
