namespace AutomationStack.Geometry;

/// <summary>A rectangle in the plane: centre, heading (radians), length along heading, width across it.</summary>
public readonly record struct OrientedBox(Vec2 Center, double Heading, double Length, double Width)
{
    /// <summary>Writes the four corners (front-left, front-right, rear-right, rear-left) into <paramref name="corners"/>.</summary>
    public void GetCorners(Span<Vec2> corners)
    {
        if (corners.Length < 4)
        {
            throw new ArgumentException("Need room for four corners.", nameof(corners));
        }

        var f = Vec2.FromHeading(Heading) * (Length / 2);
        var l = Vec2.FromHeading(Heading).Normal * (Width / 2);
        corners[0] = Center + f + l;
        corners[1] = Center + f - l;
        corners[2] = Center - f - l;
        corners[3] = Center - f + l;
    }

    /// <summary>Separating-axis test between two oriented boxes; touching counts as intersecting.</summary>
    public static bool Intersects(in OrientedBox a, in OrientedBox b)
    {
        Span<Vec2> ca = stackalloc Vec2[4];
        Span<Vec2> cb = stackalloc Vec2[4];
        a.GetCorners(ca);
        b.GetCorners(cb);
        Span<Vec2> axes = stackalloc Vec2[4];
        axes[0] = Vec2.FromHeading(a.Heading);
        axes[1] = axes[0].Normal;
        axes[2] = Vec2.FromHeading(b.Heading);
        axes[3] = axes[2].Normal;
        for (var k = 0; k < 4; k++)
        {
            Project(ca, axes[k], out var minA, out var maxA);
            Project(cb, axes[k], out var minB, out var maxB);
            if (maxA < minB || maxB < minA)
            {
                return false;
            }
        }

        return true;
    }

    private static void Project(ReadOnlySpan<Vec2> corners, Vec2 axis, out double min, out double max)
    {
        min = double.MaxValue;
        max = double.MinValue;
        foreach (var c in corners)
        {
            var p = Vec2.Dot(c, axis);
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }
    }
}
