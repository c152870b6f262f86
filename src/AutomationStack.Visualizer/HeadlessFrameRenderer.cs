using AutomationStack.Visualizer.Gl;
using AutomationStack.Visualizer.Model;
using AutomationStack.Visualizer.Native;
using Silk.NET.OpenGL;

namespace AutomationStack.Visualizer;

/// <summary>
/// Headless rendering: an EGL surfaceless context, the scene renderer and an off-screen target of a fixed size.
/// <see cref="Render"/> draws a prepared <see cref="SceneMesh"/> and returns the pixels (RGBA8, top row first).
/// </summary>
internal sealed class HeadlessFrameRenderer : IDisposable
{
    private readonly EglContext _egl;
    private readonly GL _gl;
    private readonly SceneRenderer _renderer;
    private readonly OffscreenTarget _target;
    private readonly byte[] _scratch;

    /// <exception cref="GlUnavailableException">No headless OpenGL.</exception>
    public HeadlessFrameRenderer(RoadLayout layout, int width, int height)
    {
        _egl = EglContext.Create();
        try
        {
            _gl = GL.GetApi(_egl.GetProcAddress);
            _renderer = new SceneRenderer(_gl, layout);
            _target = new OffscreenTarget(_gl, width, height);
        }
        catch
        {
            _renderer?.Dispose();
            _gl?.Dispose();
            _egl.Dispose();
            throw;
        }

        Width = width;
        Height = height;
        Pixels = new byte[width * height * 4];
        _scratch = new byte[Pixels.Length];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The last frame read back (RGBA8, top row first); reused by every <see cref="Render"/>.</summary>
    public byte[] Pixels { get; }

    public string RendererName => _renderer.RendererName;

    /// <summary>Draws the mesh with the view-projection and reads the frame back into <see cref="Pixels"/>.</summary>
    public byte[] Render(SceneMesh mesh, System.Numerics.Matrix4x4 viewProjection, bool readBack = true)
    {
        _target.Bind();
        _renderer.Render(mesh, viewProjection, Width, Height);
        if (readBack)
        {
            _target.ReadRgbaTopDown(Pixels, _scratch);
        }
        else
        {
            _renderer.Finish();
        }

        return Pixels;
    }

    /// <summary>The RGB of pixel (x, y) of the last frame (x right, y down).</summary>
    public (byte R, byte G, byte B) PixelAt(int x, int y)
    {
        var i = ((y * Width) + x) * 4;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void Dispose()
    {
        _target.Dispose();
        _renderer.Dispose();
        _gl.Dispose();
        _egl.Dispose();
    }
}
