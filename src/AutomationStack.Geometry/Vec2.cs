namespace AutomationStack.Geometry;

/// <summary>A point or vector in the plane, metres.</summary>
public readonly record struct Vec2(double X, double Y)
{
    public static Vec2 Zero => default;

    public static Vec2 operator +(Vec2 a, Vec2 b) => new(a.X + b.X, a.Y + b.Y);

    public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);

    public static Vec2 operator -(Vec2 a) => new(-a.X, -a.Y);

    public static Vec2 operator *(Vec2 a, double k) => new(a.X * k, a.Y * k);

    public static Vec2 operator *(double k, Vec2 a) => new(a.X * k, a.Y * k);

    public double Length => Math.Sqrt((X * X) + (Y * Y));

    public double LengthSquared => (X * X) + (Y * Y);

    public static double Dot(Vec2 a, Vec2 b) => (a.X * b.X) + (a.Y * b.Y);

    /// <summary>z component of the 3-D cross product.</summary>
    public static double Cross(Vec2 a, Vec2 b) => (a.X * b.Y) - (a.Y * b.X);

    /// <summary>Unit vector at <paramref name="heading"/> radians (0 = +x, counter-clockwise positive).</summary>
    public static Vec2 FromHeading(double heading) => new(Math.Cos(heading), Math.Sin(heading));

    /// <summary>This vector rotated counter-clockwise by <paramref name="angle"/> radians.</summary>
    public Vec2 Rotate(double angle)
    {
        var c = Math.Cos(angle);
        var s = Math.Sin(angle);
        return new Vec2((c * X) - (s * Y), (s * X) + (c * Y));
    }

    /// <summary>Left-hand normal (rotated +90°).</summary>
    public Vec2 Normal => new(-Y, X);
}
