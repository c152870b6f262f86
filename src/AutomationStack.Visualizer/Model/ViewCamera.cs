using System.Numerics;

namespace AutomationStack.Visualizer.Model;

/// <summary>Top-down (orthographic, north up) or chase (perspective, behind the followed vehicle).</summary>
public enum ViewMode
{
    Top,
    Chase,
}

/// <summary>
/// The camera as a view-projection matrix over the map frame (x east, y north, z up; m) and the world → pixel mapping
/// the tests use (pixel (0, 0) = top-left corner, y down). Pure.
/// </summary>
internal sealed class ViewCamera
{
    /// <summary>Default top view scale, m per pixel.</summary>
    public const double DefaultMetresPerPixel = 0.2;

    public const double ChaseDistance = 40;
    public const double ChaseHeight = 20;
    public const double ChaseLookAhead = 30;
    public const double ChaseFieldOfViewDeg = 55;
    public const double NearPlane = 0.5;
    public const double FarPlane = 3000;

    /// <summary>Vertical extent of the top view's depth range, m.</summary>
    private const double TopDepth = 200;

    public ViewCamera(ViewMode mode, double centreX, double centreY, double heading, int width, int height, double metresPerPixel = DefaultMetresPerPixel)
    {
        Mode = mode;
        Width = width;
        Height = height;
        Matrix = mode == ViewMode.Top
            ? TopMatrix(centreX, centreY, width, height, metresPerPixel)
            : ChaseMatrix(centreX, centreY, heading, width, height);
    }

    public ViewMode Mode { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>View-projection, row-vector convention of System.Numerics (clip = world × Matrix).</summary>
    public Matrix4x4 Matrix { get; }

    /// <summary>Pixel of a world point (x right, y down from the top-left), or null behind the camera.</summary>
    public (double X, double Y)? WorldToPixel(double x, double y, double z = 0)
    {
        var clip = Vector4.Transform(new Vector4((float)x, (float)y, (float)z, 1), Matrix);
        if (clip.W <= 0)
        {
            return null;
        }

        var ndcX = clip.X / clip.W;
        var ndcY = clip.Y / clip.W;
        return ((ndcX + 1) * 0.5 * Width, (1 - ndcY) * 0.5 * Height);
    }

    private static Matrix4x4 TopMatrix(double cx, double cy, int width, int height, double metresPerPixel)
    {
        var halfW = (float)(width * metresPerPixel / 2);
        var halfH = (float)(height * metresPerPixel / 2);
        var view = Matrix4x4.CreateLookAt(new Vector3((float)cx, (float)cy, (float)(TopDepth / 2)), new Vector3((float)cx, (float)cy, 0), Vector3.UnitY);
        var projection = Matrix4x4.CreateOrthographicOffCenter(-halfW, halfW, -halfH, halfH, 0, (float)TopDepth);
        return view * projection;
    }

    private static Matrix4x4 ChaseMatrix(double cx, double cy, double heading, int width, int height)
    {
        var (s, c) = Math.SinCos(heading);
        var eye = new Vector3((float)(cx - (c * ChaseDistance)), (float)(cy - (s * ChaseDistance)), (float)ChaseHeight);
        var target = new Vector3((float)(cx + (c * ChaseLookAhead)), (float)(cy + (s * ChaseLookAhead)), 0);
        var view = Matrix4x4.CreateLookAt(eye, target, Vector3.UnitZ);
        var projection = Matrix4x4.CreatePerspectiveFieldOfView(
            (float)(ChaseFieldOfViewDeg * Math.PI / 180), (float)width / height, (float)NearPlane, (float)FarPlane);
        return view * projection;
    }
}
