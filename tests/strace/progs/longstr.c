/* Strings longer than -s, every escaping class strace uses, and a binary buffer. */
#include <unistd.h>

int main(void)
{
	static const char text[] = "The quick brown fox jumps over the lazy dog, again and again.\n";
	static const char esc[] = "tab\there \"quoted\" back\\slash \a\b\f\v\r\x1b nul\0x \x7f\x80\xfe end";
	unsigned char bin[40];
	for (int i = 0; i < 40; i++)
		bin[i] = (unsigned char)(i * 7);
	write(1, text, sizeof text - 1);
	write(1, esc, sizeof esc - 1);
	write(1, bin, sizeof bin);
	write(1, "short\n", 6);
	write(1, "", 0);
	return 0;
}
