using System.Numerics;
using AutomationStack.Visualizer.Model;
using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer.Gl;

/// <summary>
/// Draws a <see cref="SceneMesh"/> (and the static road mesh) with one flat-colour shader: world triangles and lines
/// with depth test, the lidar points over them (drawn on the CPU into an image, one textured quad), then the overlay
/// in pixel coordinates with alpha blending. Owns every GPU resource it uses.
/// </summary>
internal sealed class SceneRenderer : IDisposable
{
    private const string VertexSource = """
        #version 330 core
        layout(location = 0) in vec3 aPosition;
        layout(location = 1) in vec4 aColour;
        uniform mat4 uMvp;
        out vec4 vColour;
        void main()
        {
            gl_Position = uMvp * vec4(aPosition, 1.0);
            vColour = aColour;
        }
        """;

    private const string FragmentSource = """
        #version 330 core
        in vec4 vColour;
        out vec4 fragColour;
        void main()
        {
            fragColour = vColour;
        }
        """;

    private readonly GL _gl;
    private readonly ShaderProgram _shader;
    private readonly VertexBuffer _roadTriangles;
    private readonly VertexBuffer _roadLines;
    private readonly VertexBuffer _triangles;
    private readonly VertexBuffer _lines;
    private readonly OverlayImage _lidarImage;
    private PointSplatter? _splatter;
    private readonly VertexBuffer _overlayTriangles;
    private readonly VertexBuffer _overlayLines;

    public SceneRenderer(GL gl, RoadLayout layout)
    {
        ArgumentNullException.ThrowIfNull(gl);
        ArgumentNullException.ThrowIfNull(layout);
        _gl = gl;
        _shader = new ShaderProgram(gl, VertexSource, FragmentSource);
        _roadTriangles = new VertexBuffer(gl);
        _roadLines = new VertexBuffer(gl);
        _triangles = new VertexBuffer(gl);
        _lines = new VertexBuffer(gl);
        _lidarImage = new OverlayImage(gl);
        _overlayTriangles = new VertexBuffer(gl);
        _overlayLines = new VertexBuffer(gl);
        var roadTriangles = new VertexList();
        var roadLines = new VertexList();
        MeshBuilder.BuildRoads(layout, roadTriangles, roadLines);
        _roadTriangles.Upload(roadTriangles, BufferUsageARB.StaticDraw);
        _roadLines.Upload(roadLines, BufferUsageARB.StaticDraw);
    }

    /// <summary>The driver's renderer string (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)").</summary>
    public string RendererName => _gl.GetStringS(StringName.Renderer) ?? "unknown";

    /// <summary>Draws into the bound frame buffer (viewport <paramref name="width"/> × <paramref name="height"/>).</summary>
    public void Render(SceneMesh mesh, Matrix4x4 viewProjection, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        _gl.Viewport(0, 0, (uint)width, (uint)height);
        var bg = Palette.Background;
        _gl.ClearColor(bg.R, bg.G, bg.B, 1);
        _gl.Clear(ClearBufferMask.ColorBufferBit | ClearBufferMask.DepthBufferBit);

        // World surfaces are opaque: no blending (it costs on a CPU rasteriser); lines (fading event rings) and the
        // overlay blend.
        _gl.Enable(EnableCap.DepthTest);
        _gl.DepthFunc(DepthFunction.Lequal);
        _gl.Disable(EnableCap.Blend);
        _gl.BlendFunc(BlendingFactor.SrcAlpha, BlendingFactor.OneMinusSrcAlpha);
        _shader.Use(viewProjection);
        _roadTriangles.Draw(PrimitiveType.Triangles);
        _triangles.Upload(mesh.Triangles);
        _triangles.Draw(PrimitiveType.Triangles);
        _gl.Enable(EnableCap.Blend);
        _roadLines.Draw(PrimitiveType.Lines);
        _lines.Upload(mesh.Lines);
        _lines.Draw(PrimitiveType.Lines);

        _gl.Disable(EnableCap.DepthTest);
        if (mesh.LidarPointCount > 0)
        {
            // Lidar points: drawn on the CPU into an image, laid over the frame (see PointSplatter).
            if (_splatter is null || _splatter.Width != width || _splatter.Height != height)
            {
                _splatter = new PointSplatter(width, height);
            }

            _splatter.Draw(mesh.LidarPoints, mesh.LidarPointCount, viewProjection);
            _lidarImage.Draw(_splatter.Pixels, width, height);
        }

        _shader.Use(Matrix4x4.CreateOrthographicOffCenter(0, width, height, 0, -1, 1));
        _overlayTriangles.Upload(mesh.OverlayTriangles);
        _overlayTriangles.Draw(PrimitiveType.Triangles);
        _overlayLines.Upload(mesh.OverlayLines);
        _overlayLines.Draw(PrimitiveType.Lines);
    }

    /// <summary>Waits for the GPU to finish the frame (for timing).</summary>
    public void Finish() => _gl.Finish();

    public void Dispose()
    {
        _overlayLines.Dispose();
        _overlayTriangles.Dispose();
        _lidarImage.Dispose();
        _lines.Dispose();
        _triangles.Dispose();
        _roadLines.Dispose();
        _roadTriangles.Dispose();
        _shader.Dispose();
    }
}
