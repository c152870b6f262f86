using System.Numerics;

namespace AutomationStack.Visualizer.Model;

/// <summary>
/// Lidar points drawn on the CPU into a one-byte-a-pixel class image the size of the frame (top row first: 0 = no
/// point, <see cref="Ground"/>, <see cref="Obstacle"/>), which the renderer uploads as an R8 texture and lays over the
/// scene as one quad, colouring the classes (<see cref="Palette.LidarGround"/>, <see cref="Palette.LidarObstacle"/>).
/// On a CPU rasteriser (llvmpipe) this is cheaper than 30,000 GL points, each of which costs a primitive set-up;
/// points are drawn over everything anyway (no depth test). Each point is a <see cref="PointSize"/> ×
/// <see cref="PointSize"/> pixel square.
/// </summary>
internal sealed class PointSplatter
{
    /// <summary>Side of a point's square, px.</summary>
    public const int PointSize = 2;

    public const byte Ground = 1;
    public const byte Obstacle = 2;

    public PointSplatter(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        Pixels = new byte[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Class of each pixel (0, <see cref="Ground"/>, <see cref="Obstacle"/>), row 0 at the top.</summary>
    public byte[] Pixels { get; }

    /// <summary>Number of points drawn by the last <see cref="Draw"/> (inside the frame and in front of the camera).</summary>
    public int Drawn { get; private set; }

    /// <summary>Clears the image and draws the points (x, y, z triples in the map frame) through the view-projection.</summary>
    public void Draw(ReadOnlySpan<float> points, int count, Matrix4x4 viewProjection)
    {
        Array.Clear(Pixels);
        var pixels = Pixels.AsSpan();
        var halfW = Width * 0.5f;
        var halfH = Height * 0.5f;
        var drawn = 0;
        for (var i = 0; i < count; i++)
        {
            var x = points[i * 3];
            var y = points[(i * 3) + 1];
            var z = points[(i * 3) + 2];
            var clip = Vector4.Transform(new Vector4(x, y, z, 1), viewProjection);
            if (clip.W <= 0 || clip.Z < -clip.W || clip.Z > clip.W)
            {
                continue;
            }

            var px = (int)MathF.Floor(((clip.X / clip.W) + 1) * halfW);
            var py = (int)MathF.Floor((1 - (clip.Y / clip.W)) * halfH);
            if (px < 0 || py < 0 || px >= Width || py >= Height)
            {
                continue;
            }

            var kind = z < Palette.LidarGroundHeight ? Ground : Obstacle;
            var maxX = Math.Min(px + PointSize, Width);
            var maxY = Math.Min(py + PointSize, Height);
            for (var sy = py; sy < maxY; sy++)
            {
                var row = sy * Width;
                for (var sx = px; sx < maxX; sx++)
                {
                    // Obstacles win over ground where squares overlap.
                    if (pixels[row + sx] < kind)
                    {
                        pixels[row + sx] = kind;
                    }
                }
            }

            drawn++;
        }

        Drawn = drawn;
    }
}
