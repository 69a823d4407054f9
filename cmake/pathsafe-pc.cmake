# Run when installing (see CMakeLists.txt): writes ${ps_pc} from
# ${ps_pc}.in for CMAKE_INSTALL_PREFIX, every path normalised, so that
# pkg-config hands consumers "-L/usr/local/lib", never
# ".../lib/pkgconfig/../../lib" or "//".

function(ps_pc_normal out path)
	cmake_path(SET path NORMALIZE "${path}")
	string(REGEX REPLACE "(.)/$" "\\1" path "${path}")
	set(${out} "${path}" PARENT_SCOPE)
endfunction()

# A directory under the prefix stays ${prefix}/..., which pkg-config's
# --define-prefix and --define-variable can still move.
function(ps_pc_dir out dir)
	ps_pc_normal(dir "${dir}")
	if(NOT IS_ABSOLUTE "${dir}")
		set(dir "\${prefix}/${dir}")
	endif()
	set(${out} "${dir}" PARENT_SCOPE)
endfunction()

ps_pc_normal(PS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
ps_pc_dir(PS_PC_LIBDIR "${ps_libdir}")
ps_pc_dir(PS_PC_INCLUDEDIR "${ps_includedir}")
configure_file("${ps_pc}.in" "${ps_pc}" @ONLY)
