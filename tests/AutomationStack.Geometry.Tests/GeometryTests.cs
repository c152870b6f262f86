using AutomationStack.Geometry;

namespace AutomationStack.Geometry.Tests;

public sealed class PolylineTests
{
    private static Polyline LShape() => new([new Vec2(0, 0), new Vec2(10, 0), new Vec2(10, 10)]);

    [Test]
    public void Project_PointLeftOfFirstSegment_PositiveOffsetAndArcLength()
    {
        var p = LShape().Project(new Vec2(4, 2));

        Assert.That(p.S, Is.EqualTo(4).Within(1e-12));
        Assert.That(p.Offset, Is.EqualTo(2).Within(1e-12));
        Assert.That(p.Segment, Is.Zero);
    }

    [Test]
    public void Project_PointRightOfSecondSegment_NegativeOffset()
    {
        var p = LShape().Project(new Vec2(11, 5));

        Assert.That(p.S, Is.EqualTo(15).Within(1e-12));
        Assert.That(p.Offset, Is.EqualTo(-1).Within(1e-12));
        Assert.That(p.Heading, Is.EqualTo(Math.PI / 2).Within(1e-12));
    }

    [Test]
    public void Project_BeyondEnds_ExtendsEndSegments()
    {
        var line = LShape();

        Assert.That(line.Project(new Vec2(-3, 0)).S, Is.EqualTo(-3).Within(1e-12));
        Assert.That(line.Project(new Vec2(10, 14)).S, Is.EqualTo(24).Within(1e-12));
    }

    [Test]
    public void Project_WithHint_SameAsFullSearchNearHint()
    {
        var points = new List<Vec2>();
        for (var i = 0; i <= 1000; i++)
        {
            points.Add(new Vec2(i * 2.0, Math.Sin(i * 0.01) * 50));
        }

        var line = new Polyline(points);
        var p = new Vec2(801, 40);
        var full = line.Project(p);

        var hinted = line.Project(p, full.Segment + 3, 8);

        Assert.That(hinted, Is.EqualTo(full));
    }

    [Test]
    public void Evaluate_MidSegment_InterpolatesPointAndHeading()
    {
        var (point, heading) = LShape().Evaluate(12.5);

        Assert.That(point.X, Is.EqualTo(10).Within(1e-12));
        Assert.That(point.Y, Is.EqualTo(2.5).Within(1e-12));
        Assert.That(heading, Is.EqualTo(Math.PI / 2).Within(1e-12));
    }

    [Test]
    public void Constructor_CoincidentPoints_Throws()
    {
        Assert.Throws<ArgumentException>(() => _ = new Polyline([new Vec2(0, 0), new Vec2(0, 0)]));
        Assert.Throws<ArgumentException>(() => _ = new Polyline([new Vec2(0, 0)]));
    }
}

public sealed class OrientedBoxTests
{
    [Test]
    public void Intersects_SeparatedAlongHeading_False()
    {
        var a = new OrientedBox(new Vec2(0, 0), 0, 10, 2);
        var b = new OrientedBox(new Vec2(10.5, 0), 0, 1, 2);

        Assert.That(OrientedBox.Intersects(a, b), Is.False);
    }

    [Test]
    public void Intersects_Touching_True()
    {
        var a = new OrientedBox(new Vec2(0, 0), 0, 10, 2);
        var b = new OrientedBox(new Vec2(10, 0), 0, 10, 2);

        Assert.That(OrientedBox.Intersects(a, b), Is.True);
    }

    [Test]
    public void Intersects_RotatedBoxInCornerGap_False()
    {
        // A diamond near the corner of an axis-aligned box: the boxes' axes do not separate, the diamond's do.
        var a = new OrientedBox(new Vec2(0, 0), 0, 2, 2);
        var b = new OrientedBox(new Vec2(1.8, 1.8), Math.PI / 4, 1, 1);

        Assert.That(OrientedBox.Intersects(a, b), Is.False);
    }

    [Test]
    public void Intersects_RotatedOverlap_True()
    {
        var a = new OrientedBox(new Vec2(0, 0), 0.3, 16.5, 2.55);
        var b = new OrientedBox(new Vec2(8, 1), -0.2, 4.6, 1.9);

        Assert.That(OrientedBox.Intersects(a, b), Is.True);
    }
}

public sealed class AnglesAndUnitsTests
{
    [TestCase(3 * Math.PI, Math.PI)]
    [TestCase(-Math.PI, Math.PI)]
    [TestCase(0.5, 0.5)]
    [TestCase(-7.0, -7.0 + (2 * Math.PI))]
    public void Normalize_AnyAngle_WrapsIntoHalfOpenRange(double angle, double expected)
    {
        Assert.That(Angles.Normalize(angle), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void KphToMetresPerSecond_EightyKph_TwentyTwoPointTwo()
    {
        Assert.That(Units.KphToMetresPerSecond(80), Is.EqualTo(22.2222222222).Within(1e-9));
        Assert.That(Units.MetresPerSecondToKph(Units.KphToMetresPerSecond(80)), Is.EqualTo(80).Within(1e-12));
    }

    [Test]
    public void SecondsToNanoseconds_StepLength_Exact()
    {
        Assert.That(Units.SecondsToNanoseconds(0.01), Is.EqualTo(10_000_000));
    }
}
