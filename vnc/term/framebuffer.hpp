#pragma once
// The console draws into the framebuffer the RFB encoders read: one definition, in vnc/rfb.
#include "vnc/rfb/framebuffer.hpp"
