namespace AutomationStack.Geometry;

/// <summary>Angle helpers. Every angle in the stack is radians unless its name says otherwise (…Deg).</summary>
public static class Angles
{
    public const double DegreesPerRadian = 180.0 / Math.PI;

    /// <summary>Wraps an angle to (−π, π].</summary>
    public static double Normalize(double angle)
    {
        var a = Math.IEEERemainder(angle, 2.0 * Math.PI);
        return a <= -Math.PI ? a + (2.0 * Math.PI) : a;
    }

    public static double FromDegrees(double degrees) => degrees / DegreesPerRadian;

    public static double ToDegrees(double radians) => radians * DegreesPerRadian;
}

/// <summary>The one place where non-SI speed units are converted.</summary>
public static class Units
{
    public const double MetresPerSecondPerKph = 1.0 / 3.6;

    public static double KphToMetresPerSecond(double kph) => kph * MetresPerSecondPerKph;

    public static double MetresPerSecondToKph(double speed) => speed / MetresPerSecondPerKph;

    public const long NanosecondsPerSecond = 1_000_000_000L;

    public static long SecondsToNanoseconds(double seconds) => (long)Math.Round(seconds * NanosecondsPerSecond);

    public static double NanosecondsToSeconds(long ns) => ns / (double)NanosecondsPerSecond;
}
