/** The PipeRelay mark and name. */
export function Logo() {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="8" fill="#4f46e5" />
        <path
          d="M9 11h8a5 5 0 0 1 0 10h-3m-5 0h4"
          stroke="#fff"
          strokeWidth="3"
          fill="none"
          strokeLinecap="round"
        />
        <circle cx="23" cy="11" r="2.5" fill="#a5b4fc" />
      </svg>
      <span className="logo-name">PipeRelay</span>
    </span>
  );
}
