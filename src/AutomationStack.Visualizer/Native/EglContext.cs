using System.Runtime.InteropServices;

namespace AutomationStack.Visualizer.Native;

/// <summary>
/// A headless OpenGL 3.3 core context through libEGL on Mesa's surfaceless platform (no display server): the context
/// is made current with no surface, and the renderer draws into its own frame buffer object.
/// </summary>
internal sealed partial class EglContext : IDisposable
{
    private const string Library = "libEGL.so.1";
    private const uint PlatformSurfacelessMesa = 0x31DD;
    private const int SurfaceType = 0x3033;
    private const int PbufferBit = 0x0001;
    private const int RenderableType = 0x3040;
    private const int OpenGlBit = 0x0008;
    private const int RedSize = 0x3024;
    private const int GreenSize = 0x3023;
    private const int BlueSize = 0x3022;
    private const int AlphaSize = 0x3021;
    private const int DepthSize = 0x3025;
    private const int None = 0x3038;
    private const uint OpenGlApi = 0x30A2;
    private const int ContextMajorVersion = 0x3098;
    private const int ContextMinorVersion = 0x30FB;
    private const int ContextOpenGlProfileMask = 0x30FD;
    private const int ContextOpenGlCoreProfileBit = 0x1;

    private nint _display;
    private nint _context;

    private EglContext(nint display, nint context)
    {
        _display = display;
        _context = context;
    }

    /// <summary>Creates the context and makes it current on this thread.</summary>
    /// <exception cref="GlUnavailableException">libEGL missing, no surfaceless platform, or no GL 3.3 core.</exception>
    public static unsafe EglContext Create()
    {
        nint display;
        try
        {
            display = GetPlatformDisplay(PlatformSurfacelessMesa, 0, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new GlUnavailableException($"headless OpenGL needs {Library} (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri): {ex.Message}", ex);
        }

        if (display == 0)
        {
            throw new GlUnavailableException($"eglGetPlatformDisplay(surfaceless) failed (EGL error 0x{GetError():X4}): Mesa's surfaceless EGL platform is missing");
        }

        if (Initialize(display, out _, out _) == 0)
        {
            throw new GlUnavailableException($"eglInitialize failed (EGL error 0x{GetError():X4})");
        }

        int* configAttributes = stackalloc int[]
        {
            SurfaceType, PbufferBit, RenderableType, OpenGlBit, RedSize, 8, GreenSize, 8, BlueSize, 8, AlphaSize, 8, DepthSize, 24, None,
        };
        nint config;
        if (ChooseConfig(display, configAttributes, &config, 1, out var count) == 0 || count < 1)
        {
            Terminate(display);
            throw new GlUnavailableException($"eglChooseConfig found no RGBA8/depth-24 OpenGL configuration (EGL error 0x{GetError():X4})");
        }

        if (BindApi(OpenGlApi) == 0)
        {
            Terminate(display);
            throw new GlUnavailableException($"eglBindAPI(OpenGL) failed (EGL error 0x{GetError():X4})");
        }

        int* contextAttributes = stackalloc int[]
        {
            ContextMajorVersion, 3, ContextMinorVersion, 3, ContextOpenGlProfileMask, ContextOpenGlCoreProfileBit, None,
        };
        var context = CreateContext(display, config, 0, contextAttributes);
        if (context == 0)
        {
            Terminate(display);
            throw new GlUnavailableException($"eglCreateContext(OpenGL 3.3 core) failed (EGL error 0x{GetError():X4})");
        }

        if (MakeCurrent(display, 0, 0, context) == 0)
        {
            DestroyContext(display, context);
            Terminate(display);
            throw new GlUnavailableException($"eglMakeCurrent without a surface failed (EGL error 0x{GetError():X4})");
        }

        return new EglContext(display, context);
    }

    /// <summary>Address of a GL function (core or extension) for <c>GL.GetApi</c>.</summary>
    public nint GetProcAddress(string name) => GetProcAddressNative(name);

    public void Dispose()
    {
        if (_display == 0)
        {
            return;
        }

        MakeCurrent(_display, 0, 0, 0);
        if (_context != 0)
        {
            DestroyContext(_display, _context);
        }

        Terminate(_display);
        _context = 0;
        _display = 0;
    }

    [LibraryImport(Library, EntryPoint = "eglGetPlatformDisplay")]
    private static partial nint GetPlatformDisplay(uint platform, nint nativeDisplay, nint attributes);

    [LibraryImport(Library, EntryPoint = "eglInitialize")]
    private static partial uint Initialize(nint display, out int major, out int minor);

    [LibraryImport(Library, EntryPoint = "eglChooseConfig")]
    private static unsafe partial uint ChooseConfig(nint display, int* attributes, nint* configs, int configSize, out int count);

    [LibraryImport(Library, EntryPoint = "eglBindAPI")]
    private static partial uint BindApi(uint api);

    [LibraryImport(Library, EntryPoint = "eglCreateContext")]
    private static unsafe partial nint CreateContext(nint display, nint config, nint share, int* attributes);

    [LibraryImport(Library, EntryPoint = "eglMakeCurrent")]
    private static partial uint MakeCurrent(nint display, nint draw, nint read, nint context);

    [LibraryImport(Library, EntryPoint = "eglDestroyContext")]
    private static partial uint DestroyContext(nint display, nint context);

    [LibraryImport(Library, EntryPoint = "eglTerminate")]
    private static partial uint Terminate(nint display);

    [LibraryImport(Library, EntryPoint = "eglGetError")]
    private static partial int GetError();

    [LibraryImport(Library, EntryPoint = "eglGetProcAddress", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetProcAddressNative(string name);
}
