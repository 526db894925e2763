/** Keyboard navigation of the incident list: j/k move, Enter opens, a acknowledges, x toggles the selection. */
export type ListKeyAction = { kind: 'move'; index: number } | { kind: 'open'; index: number } | { kind: 'acknowledge'; index: number } | { kind: 'toggle'; index: number } | null;

export function listKey(key: string, index: number, length: number): ListKeyAction {
  if (length === 0) return null;
  const at = Math.min(Math.max(index, 0), length - 1);
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { kind: 'move', index: index < 0 ? 0 : Math.min(at + 1, length - 1) };
    case 'k':
    case 'ArrowUp':
      return { kind: 'move', index: index < 0 ? 0 : Math.max(at - 1, 0) };
    case 'Enter':
    case 'o':
      return index < 0 ? null : { kind: 'open', index: at };
    case 'a':
      return index < 0 ? null : { kind: 'acknowledge', index: at };
    case 'x':
      return index < 0 ? null : { kind: 'toggle', index: at };
    default:
      return null;
  }
}

/** Keys typed into a form field are not shortcuts. */
export function isTypingTarget(tag: string | undefined, editable: boolean): boolean {
  return editable || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}
